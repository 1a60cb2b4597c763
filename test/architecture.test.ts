import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

/**
 * The pipeline, in order. A stage may import the stages before it and never one after:
 * the model is shared by all, probers know nothing of the catalog's YAML, renderers never
 * dial, and only the commands tie everything together.
 */
const STAGES = ['model', 'io', 'facts', 'catalog', 'remedies', 'probers', 'runner', 'report', 'render', 'bundle', 'simulate', 'commands'] as const;

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The stage of a file under src/: its top-level folder; cli.ts belongs with the commands. */
function stageOf(file: string): number {
  const top = path.relative(SRC, file).split(path.sep)[0] ?? '';
  const stage = top === 'cli.ts' ? 'commands' : top;
  return STAGES.indexOf(stage as (typeof STAGES)[number]);
}

/** Static imports, type-only ones included, re-exports, and dynamic import() of relative paths. */
function relativeImports(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm)) found.push(match[2] as string);
  return found;
}

const files = sourceFiles(SRC);

t.test('every source file belongs to a stage', async (t) => {
  for (const file of files) t.not(stageOf(file), -1, `${path.relative(SRC, file)} is in a folder that is not a stage (${STAGES.join(', ')})`);
});

t.test('stages import only the model and the stages before them', async (t) => {
  let checked = 0;
  const violations: string[] = [];
  for (const file of files) {
    const from = stageOf(file);
    for (const specifier of relativeImports(readFileSync(file, 'utf8'))) {
      const to = stageOf(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      checked++;
      if (to === -1 || to > from) violations.push(`${path.relative(SRC, file)} (${STAGES[from]}) imports ${specifier} (${STAGES[to] ?? 'outside src'})`);
    }
  }
  t.ok(checked > 100, `read the imports of the whole tree (${checked})`);
  t.same(violations, []);
});

t.test('the model imports nothing but Node and itself', async (t) => {
  const outside = files
    .filter((f) => stageOf(f) === 0)
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bfrom\s+(['"])([^'"]+)\1/g)].map((m) => `${path.relative(SRC, file)} imports ${m[2] as string}`))
    .filter((line) => !/ imports (node:|\.\/)/.test(line));
  t.same(outside, []);
});

t.test('the check finds a violation', async (t) => {
  t.same(relativeImports("import type { X } from '../runner/runner.js';\nconst y = await import('./z.js');\n"), ['../runner/runner.js', './z.js']);
  t.equal(stageOf(path.join(SRC, 'model/x.ts')) < stageOf(path.join(SRC, 'runner/y.ts')), true);
});
