import { readFileSync } from 'node:fs';
import t from 'tap';
import { REASONS } from '../src/model/reasons.js';
import { EXIT } from '../src/model/exit-codes.js';
import { CHECK_EXAMPLE } from '../src/commands/shared/check-options.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8');

t.test('the README opens with the main job and the test command, and CI runs that same test command', async (t) => {
  const firstBlock = /^# aml-netcheck\n\n```sh\n([^`]+)```/.exec(readme)?.[1]?.trim().split('\n') ?? [];
  t.equal(firstBlock.length, 2, 'two commands');
  t.match(firstBlock[0], /aml-netcheck /, 'the first runs the main job');
  t.equal(firstBlock[1], 'npm test', 'the second runs the tests');
  t.match(ci, /^npm test$/m, '.ci/run runs the README’s test command');
});

t.test('every reason code is documented', async (t) => {
  for (const code of Object.keys(REASONS)) t.match(readme, `| \`${code}\` |`, code);
});

t.test('every exit code is documented in the README and in check --help', async (t) => {
  for (const code of Object.values(EXIT)) {
    t.match(readme, new RegExp(`^\\| (?:[0-9, ]+, )?${code}(?:, [0-9, ]+)? \\|`, 'm'), `README: ${code}`);
    t.match(CHECK_EXAMPLE, new RegExp(`\\b${code}\\b`), `--help: ${code}`);
  }
});
