import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import t from 'tap';
import { parse } from 'yaml';
import { BUILTIN_CATALOG_DIR, CATALOG_EXTENSIONS, YAML_OPTIONS, textHash } from '../../src/catalog/parse-file.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { CATALOG_AJV_OPTIONS, catalogFileSchema } from '../../src/catalog/schema.js';

// What `npm run build` precompiles must behave exactly like what the loader does without it.
const DIST = join(import.meta.dirname, '../../dist/catalog');
const VALIDATOR = join(DIST, 'catalog-validator.cjs');
const SNAPSHOT = join(DIST, 'catalog-snapshot.json');
const INVALID = 'test/fixtures/catalog/invalid';

function built(t: { fail(message: string): void; plan(count: number, comment?: string): void }): boolean {
  if (existsSync(VALIDATOR) && existsSync(SNAPSHOT)) return true;
  if (process.env['CI'] === 'true') t.fail('dist/ has no precompiled catalog: the build step did not run');
  else t.plan(0, 'dist/ has no precompiled catalog: run `npm run build` first');
  return false;
}

function firstError(validate: ValidateFunction, data: unknown): Pick<ErrorObject, 'instancePath' | 'keyword' | 'params'> | null {
  if (validate(data)) return null;
  const error = validate.errors?.[0];
  return error ? { instancePath: error.instancePath, keyword: error.keyword, params: error.params } : null;
}

function parsed(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  try {
    return parse(text, YAML_OPTIONS);
  } catch {
    return undefined;
  }
}

t.test('the standalone validator finds the same first error as the schema compiled at run time', async (t) => {
  if (!built(t)) return;
  const precompiled = createRequire(import.meta.url)(VALIDATOR) as ValidateFunction;
  const compiled = new Ajv(CATALOG_AJV_OPTIONS).compile(catalogFileSchema);
  const files = [
    ...readdirSync(INVALID).map((n) => join(INVALID, n)),
    ...readdirSync(BUILTIN_CATALOG_DIR)
      .filter((n) => CATALOG_EXTENSIONS.test(n))
      .map((n) => join(BUILTIN_CATALOG_DIR, n)),
  ];
  let schemaErrors = 0;
  for (const file of files) {
    const data = parsed(file);
    if (data === undefined) continue;
    const expected = firstError(compiled, data);
    if (expected !== null) schemaErrors++;
    t.same(firstError(precompiled, data), expected, file);
  }
  t.ok(schemaErrors >= 10, `the fixtures exercise the schema (${schemaErrors} schema errors)`);
});

t.test('the snapshot holds exactly what parsing each shipped file gives', async (t) => {
  if (!built(t)) return;
  const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, unknown>;
  const yamlFiles = readdirSync(BUILTIN_CATALOG_DIR).filter((n) => /\.ya?ml$/.test(n));
  t.equal(Object.keys(snapshot).length, yamlFiles.length);
  for (const name of yamlFiles) {
    const text = readFileSync(join(BUILTIN_CATALOG_DIR, name), 'utf8');
    t.same(snapshot[textHash(text)], parse(text, YAML_OPTIONS), name);
  }
});

t.test('the built loader, with its snapshot, loads the same catalog as the source', async (t) => {
  if (!built(t)) return;
  const dist = (await import(pathToFileURL(join(DIST, 'load.js')).href)) as { loadCatalog: typeof loadCatalog };
  const extra = ['test/fixtures/catalog/valid/corp.yaml'];
  t.same(JSON.parse(JSON.stringify(dist.loadCatalog({ extraFiles: extra }))), JSON.parse(JSON.stringify(loadCatalog({ extraFiles: extra }))));
});
