/**
 * Build step (`npm run build` runs it after tsc): work the catalog loader would otherwise
 * do at every start, done once. A check has to wait for its start before the first packet
 * leaves, and compiling the schema and parsing the YAML of probes/ were half of it.
 *
 *   dist/catalog/catalog-validator.cjs  the catalog schema as Ajv standalone code
 *   dist/catalog/catalog-snapshot.json  the parsed data of each probes/ file, by SHA-256 of its text
 *
 * Both are optional: load.ts compiles and parses itself when they are missing (tests run
 * from src/), and a probes/ file edited after the build no longer matches its hash.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneModule from 'ajv/dist/standalone/index.js';
import { parse } from 'yaml';
import { CATALOG_AJV_OPTIONS, catalogFileSchema } from './schema.js';
import { BUILTIN_CATALOG_DIR, CATALOG_EXTENSIONS, PRECOMPILED_SNAPSHOT, PRECOMPILED_VALIDATOR, YAML_OPTIONS, textHash } from './parse-file.js';

function writeValidator(): void {
  const ajv = new Ajv({ ...CATALOG_AJV_OPTIONS, code: { source: true } });
  // A CommonJS module: its default export sits under .default when imported from ESM.
  const standaloneCode = standaloneModule.default;
  writeFileSync(PRECOMPILED_VALIDATOR, standaloneCode(ajv, ajv.compile(catalogFileSchema)));
}

function writeSnapshot(): number {
  const snapshot: Record<string, unknown> = {};
  const names = readdirSync(BUILTIN_CATALOG_DIR).filter((n) => CATALOG_EXTENSIONS.test(n) && !n.endsWith('.json'));
  for (const name of names) {
    const text = readFileSync(join(BUILTIN_CATALOG_DIR, name), 'utf8');
    snapshot[textHash(text)] = parse(text, YAML_OPTIONS);
  }
  writeFileSync(PRECOMPILED_SNAPSHOT, JSON.stringify(snapshot));
  return names.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeValidator();
  const files = writeSnapshot();
  process.stdout.write(`precompiled the catalog schema and ${files} catalog files\n`);
}
