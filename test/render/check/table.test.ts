import t from 'tap';
import { renderCheckTable } from '../../../src/render/check/table.js';
import { elide, textOptionsFor, wrap } from '../../../src/render/shared/terminal.js';
import { sampleReport } from '../../helpers/sample-report.js';

const report = sampleReport();
const visible = (line: string): string => line.replace(/\u001b\[\d+m/g, '');

t.test('the table fits the width it is given, wrapping details and cutting long names in the middle', async (t) => {
  for (const width of [60, 80, 100, 160]) {
    const text = renderCheckTable(report, { width, color: false });
    const long = text.split('\n').filter((line) => line.length > width);
    t.same(long, [], `width ${width}`);
    t.match(text, /st1\.file\.core\.windows\.net:445|st1\.file\.co\S*…\S*:445/, `width ${width}: the blocked target is named, cut in the middle if it must`);
    t.match(text.replace(/\s+/g, ' '), /allow outbound TCP 445 to st1\.file\.core\.windows\.net/, `width ${width}: the fix is whole`);
  }
});

t.test('colour only when asked, on the labels, and the layout measured without it', async (t) => {
  const plain = renderCheckTable(report, { width: 80, color: false });
  const coloured = renderCheckTable(report, { width: 80, color: true });
  t.notMatch(plain, /\u001b/);
  t.match(coloured, /\u001b\[31mBROKEN\u001b\[0m {4}Integrated/);
  t.match(coloured, /\u001b\[31mBLOCKED\u001b\[0m/);
  t.match(coloured, /\u001b\[35mUNKNOWN\u001b\[0m {3}/);
  t.equal(coloured.split('\n').map(visible).join('\n'), plain, 'the same text once the colour is taken out');
});

t.test('width and colour come from the terminal, COLUMNS, FORCE_COLOR and NO_COLOR', async (t) => {
  t.same(textOptionsFor({ isTTY: true, columns: 132 }, {}), { width: 132, color: true });
  t.same(textOptionsFor({ isTTY: false }, {}), { width: 100, color: false }, 'piped: plain, 100 columns');
  t.same(textOptionsFor({ isTTY: false }, { COLUMNS: '72' }), { width: 72, color: false });
  t.same(textOptionsFor({ isTTY: false }, { FORCE_COLOR: '1' }), { width: 100, color: true });
  t.same(textOptionsFor({ isTTY: false }, { FORCE_COLOR: '0' }), { width: 100, color: false });
  t.same(textOptionsFor({ isTTY: true, columns: 90 }, { NO_COLOR: '1' }), { width: 90, color: false });
  t.same(textOptionsFor({ isTTY: false }, { NO_COLOR: '1', FORCE_COLOR: '1' }).color, false, 'NO_COLOR wins');
  t.same(textOptionsFor({ isTTY: false }, { COLUMNS: '10' }).width, 40, 'never narrower than 40');
});

t.test('wrap and elide', async (t) => {
  t.same(wrap('one two three four five', 12, '  '), ['one two', '  three four', '  five']);
  t.same(wrap('    fix: a b', 80, '  '), ['    fix: a b'], 'a short line keeps its indentation');
  t.same(wrap('    fix: aaaa bbbb cccc', 20, '      '), ['    fix: aaaa bbbb', '      cccc'], 'continuation lines take the hanging indent');
  t.same(wrap('x'.repeat(25), 10, ''), ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)], 'a word longer than a line is cut');
  t.same(wrap(`ab ${'x'.repeat(18)}`, 20, ' '.repeat(8)), ['ab', `${' '.repeat(8)}${'x'.repeat(12)}`, `${' '.repeat(8)}${'x'.repeat(6)}`], 'a word that fits the first line but not the indented ones is cut to their room');
  t.equal(elide('abcdefghijklmnopqrstuvwxyz', 9), 'abcd…wxyz');
  t.equal(elide('short', 9), 'short');
});

t.test('each broken feature says what its users will see, in the catalog’s words', async (t) => {
  const text = renderCheckTable(report, { width: 100, color: false });
  t.match(text, /BROKEN    Integrated notebooks \(integrated-notebook\)\n  users see: Notebooks in the studio cannot open, save or list their files\./);
  t.notMatch(text, /DEGRADED .*\n  users see:/, 'only broken features');
});
