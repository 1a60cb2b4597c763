/**
 * The layering of src/, enforced over every import: static, type-only, re-exports and dynamic
 * import(). Each layer is a folder (or one file that is a layer of its own) and may import only
 * itself and the layers it lists; no file takes part in a cycle of static imports.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import ts from 'typescript';

/**
 * Where each layer lives under src/. A file belongs to the layer with the longest matching
 * path, so a file can be a layer of its own inside a folder. Renaming a folder is one line here.
 */
const LAYERS = {
  model: 'model',
  io: 'io',
  kubernetes: 'io/k8s-configmap.ts',
  facts: 'facts',
  catalog: 'catalog',
  remedies: 'remedies',
  probers: 'probers',
  runner: 'runner',
  audit: 'audit',
  report: 'report',
  render: 'render',
  bundle: 'bundle',
  simulate: 'simulate',
  commands: 'commands',
  cli: 'cli.ts',
} as const;

type Layer = keyof typeof LAYERS;

/**
 * The layers each layer may import besides itself: the pipeline model <- catalog, facts <-
 * probers <- runner <- report <- render <- bundle <- commands <- cli, with io (files, stdout,
 * logs) beside it for the stages that read input.
 */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  // The types every stage shares: nothing of ours.
  model: [],
  io: ['model'],
  // The in-cluster API client: only a command decides to talk to a cluster.
  kubernetes: ['model'],
  facts: ['model', 'io'],
  catalog: ['model', 'io', 'facts'],
  remedies: ['model'],
  // Probers know targets and results, nothing of the catalog, the runner or the fixes.
  probers: ['model'],
  // The runner finds what is blocked; what to do about it is attached where the report is built.
  runner: ['model', 'probers'],
  // The report layer (data, renderers, bundles) never imports Kubernetes code.
  // The audit reads the admin's exported rules against the targets, as the runner probes them; what a
  // managed network adds by itself and which outbound rule closes a gap is the remedies' knowledge, and
  // the closing change it proposes is named as the rules renderers name theirs (remedies/names.ts).
  audit: ['model', 'io', 'facts', 'catalog', 'remedies'],
  report: ['model', 'io', 'catalog', 'remedies', 'audit'],
  render: ['model', 'catalog', 'remedies', 'report', 'audit'],
  bundle: ['model', 'io', 'catalog', 'remedies', 'report', 'render'],
  // The demo's simulated Azure answers what the probers ask.
  simulate: ['model', 'probers'],
  commands: ['model', 'io', 'kubernetes', 'facts', 'catalog', 'remedies', 'probers', 'runner', 'audit', 'report', 'render', 'bundle', 'simulate'],
  cli: ['model', 'io', 'render', 'commands'],
};

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The layer of a path relative to src/ (forward slashes), or undefined when none claims it. */
function layerOf(file: string): Layer | undefined {
  let best: Layer | undefined;
  for (const [layer, place] of Object.entries(LAYERS) as Array<[Layer, string]>) {
    if ((file === place || file.startsWith(`${place}/`)) && (best === undefined || place.length > LAYERS[best].length)) best = layer;
  }
  return best;
}

interface Import {
  readonly specifier: string;
  /** `import type`, `export type`, every named binding `type`, or an `import('x').T` type. */
  readonly typeOnly: boolean;
  /** A dynamic import(): the module is loaded when the code runs, if ever. */
  readonly lazy: boolean;
}

/** Every module a file names: imports, re-exports, dynamic import() and import types. */
function importsOf(text: string): Import[] {
  const found: Import[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings !== undefined && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : [];
      const typeOnly = clause !== undefined && (clause.isTypeOnly || (clause.name === undefined && named.length > 0 && named.every((element) => element.isTypeOnly)));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly, lazy: false });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly, lazy: false });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] !== undefined && ts.isStringLiteralLike(node.arguments[0])) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false, lazy: true });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true, lazy: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('file.ts', text, ts.ScriptTarget.Latest, true));
  return found;
}

/** Relative to src/, forward slashes. */
const relative = (file: string): string => path.relative(SRC, file).split(path.sep).join('/');

/** The src file a relative specifier names (`./x.js` is `./x.ts` in the sources). */
function resolve(from: string, specifier: string): string {
  return relative(path.resolve(path.dirname(path.join(SRC, from)), specifier.replace(/\.js$/, '.ts')));
}

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
  readonly lazy: boolean;
}

function edgesOf(files: readonly string[], read: (file: string) => string): Edge[] {
  return files.flatMap((from) =>
    importsOf(read(from))
      .filter((imported) => imported.specifier.startsWith('.'))
      .map((imported) => ({ from, to: resolve(from, imported.specifier), typeOnly: imported.typeOnly, lazy: imported.lazy })),
  );
}

/** Why an import breaks the table, or null when it may be made. */
function breach(edge: Edge): string | null {
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  if (to === undefined) return `${edge.from} imports ${edge.to}, which no layer holds`;
  if (from === undefined || from === to || MAY_IMPORT[from].includes(to)) return null;
  return `${edge.from} (${from}) imports ${edge.to} (${to}); ${from} may import ${MAY_IMPORT[from].join(', ') || 'nothing of ours'}`;
}

/**
 * The import cycles among files: strongly connected components of two files or more, or a file
 * importing itself (Tarjan), over the static imports. Type-only imports count: they vanish at run
 * time, but two files that name each other's types still cannot be read, moved or tested apart,
 * which is what a cycle costs. A dynamic import() does not: it is how a registry loads its members
 * on demand (render/rules/registry.ts loads changes.ts, which names the registry's formats), and
 * the layer table still holds it.
 */
function cycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) if (!edge.lazy) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file) as number, index.get(to) as number));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || (next.get(file) ?? []).includes(file)) found.push(component.sort());
  };
  for (const file of next.keys()) if (!index.has(file)) visit(file);
  return found;
}

const files = sourceFiles(SRC).map(relative);
const edges = edgesOf(files, (file) => readFileSync(path.join(SRC, file), 'utf8'));

t.test('every source file belongs to a layer, and every layer is somewhere', async (t) => {
  t.same(
    files.filter((file) => layerOf(file) === undefined),
    [],
    `each file is under one of: ${Object.values(LAYERS).join(', ')}`,
  );
  for (const [layer, place] of Object.entries(LAYERS)) {
    const full = path.join(SRC, place);
    t.ok(existsSync(full) && (place.endsWith('.ts') ? statSync(full).isFile() : statSync(full).isDirectory()), `${layer}: src/${place} exists (renamed? change its line in LAYERS)`);
  }
});

t.test('each layer imports only the layers the table allows', async (t) => {
  t.ok(edges.length > 500, `read every import of the tree (${edges.length})`);
  t.same(
    edges.map(breach).filter((reason) => reason !== null),
    [],
  );
});

t.test('no import cycle among the files of src/', async (t) => {
  t.same(cycles(edges), []);
});

t.test('the model imports nothing but Node and itself', async (t) => {
  const outside = files
    .filter((file) => layerOf(file) === 'model')
    .flatMap((file) => importsOf(readFileSync(path.join(SRC, file), 'utf8')).map((imported) => ({ file, specifier: imported.specifier })))
    .filter(({ specifier }) => !specifier.startsWith('node:') && !specifier.startsWith('./'))
    .map(({ file, specifier }) => `${file} imports ${specifier}`);
  t.same(outside, []);
});

t.test('the checks find what they look for', async (t) => {
  const text = [
    "import type { A } from './a.js';",
    "import { type B, type C } from './b.js';",
    "import D, { type E } from './d.js';",
    "export * from './e.js';",
    "export type { F } from './f.js';",
    "const g = await import('./g.js');",
    "let h: typeof import('./h.js');",
    "// import { fake } from './comment.js';",
    'const s = "from \'./string.js\'";',
  ].join('\n');
  t.same(importsOf(text), [
    { specifier: './a.js', typeOnly: true, lazy: false },
    { specifier: './b.js', typeOnly: true, lazy: false },
    { specifier: './d.js', typeOnly: false, lazy: false },
    { specifier: './e.js', typeOnly: false, lazy: false },
    { specifier: './f.js', typeOnly: true, lazy: false },
    { specifier: './g.js', typeOnly: false, lazy: true },
    { specifier: './h.js', typeOnly: true, lazy: false },
  ]);

  t.equal(layerOf('io/k8s-configmap.ts'), 'kubernetes', 'a file that is a layer of its own wins over its folder');
  t.equal(layerOf('io/stdout.ts'), 'io');
  t.equal(layerOf('cli.ts'), 'cli');
  t.equal(layerOf('model.ts'), undefined, 'a folder name is not a prefix of a file name');

  const sources: Record<string, string> = {
    'probers/x.ts': "import type { Catalog } from '../catalog/types.js';\nimport { y } from './y.js';",
    'probers/y.ts': "import type { X } from './x.js';",
    'report/z.ts': "const k = await import('../io/k8s-configmap.js');",
    'render/registry.ts': "const load = () => import('./member.js');",
    'render/member.ts': "import type { Format } from './registry.js';",
  };
  const synthetic = edgesOf(Object.keys(sources), (file) => sources[file] as string);
  t.same(
    synthetic.map(breach).filter((reason) => reason !== null),
    ['probers/x.ts (probers) imports catalog/types.ts (catalog); probers may import model', 'report/z.ts (report) imports io/k8s-configmap.ts (kubernetes); report may import model, io, catalog, remedies, audit'],
  );
  t.same(cycles(synthetic), [['probers/x.ts', 'probers/y.ts']], 'a cycle through a type-only import is one; one through a lazy load is not');
});

/**
 * Renderers by kind (src/render/<kind>/): a renderer imports its own kind and render/shared/,
 * never another kind's file; kinds meet only registry to registry (check's Markdown shows the
 * fixes as `rules -o az` writes them).
 */
function renderKindOf(file: string): string | null {
  const [top, kind, rest] = file.split('/');
  return top === 'render' && rest !== undefined ? (kind ?? null) : null;
}

function kindBreach(edge: Pick<Edge, 'from' | 'to'>): string | null {
  const from = renderKindOf(edge.from);
  const to = renderKindOf(edge.to);
  if (from === null || to === null || from === to) return null;
  if (to === 'shared' && from !== 'shared') return null;
  if (path.posix.basename(edge.from) === 'registry.ts' && path.posix.basename(edge.to) === 'registry.ts') return null;
  return `${edge.from} imports ${edge.to}`;
}

t.test('no renderer imports another kind of renderer', async (t) => {
  const between = edges.filter((edge) => renderKindOf(edge.from) !== null && renderKindOf(edge.to) !== null);
  t.ok(between.length > 50, `read the imports between renderers (${between.length})`);
  t.same(
    between.map(kindBreach).filter((reason) => reason !== null),
    [],
  );

  t.equal(renderKindOf('render/check/markdown.ts'), 'check');
  t.equal(renderKindOf('render/format.ts'), null, 'a file beside the kinds is of none');
  t.equal(kindBreach({ from: 'render/check/markdown.ts', to: 'render/rules/az-policy.ts' }), 'render/check/markdown.ts imports render/rules/az-policy.ts');
  t.equal(kindBreach({ from: 'render/shared/markdown.ts', to: 'render/check/table.ts' }), 'render/shared/markdown.ts imports render/check/table.ts', 'shared serves the kinds, never the reverse');
  t.equal(kindBreach({ from: 'render/check/markdown.ts', to: 'render/shared/markdown.ts' }), null);
  t.equal(kindBreach({ from: 'render/check/registry.ts', to: 'render/rules/registry.ts' }), null, 'kinds meet registry to registry');
});
