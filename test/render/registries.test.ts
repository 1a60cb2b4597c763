import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { OUT_HELP } from '../../src/commands/shared/output-options.js';
import { RULES_EXAMPLE } from '../../src/commands/rules/spec.js';
import { CHECK_RENDERERS } from '../../src/render/check/registry.js';
import { DIFF_RENDERERS } from '../../src/render/diff/registry.js';
import { endingsOf, formatsOf, type Registry } from '../../src/render/format.js';
import { LIST_RENDERERS } from '../../src/render/lists/registry.js';
import { MERGE_RENDERERS } from '../../src/render/merge/registry.js';
import { RULES_RENDERERS } from '../../src/render/rules/registry.js';

const KINDS: Record<string, Registry> = { check: CHECK_RENDERERS, diff: DIFF_RENDERERS, merge: MERGE_RENDERERS, rules: RULES_RENDERERS, lists: LIST_RENDERERS };
const RENDER = fileURLToPath(new URL('../../src/render/', import.meta.url));

t.test('each kind names a format once, JSON among them, escaping itself', async (t) => {
  for (const [kind, registry] of Object.entries(KINDS)) {
    const formats = formatsOf(registry);
    t.same(formats, [...new Set(formats)], `${kind}: no format twice`);
    t.same(registry.find((d) => d.format === 'json')?.extensions, ['.json'], `${kind}: JSON, for .json`);
    t.equal(registry.find((d) => d.format === 'json')?.escapesItself, true, `${kind}: JSON is never escaped again`);
    for (const d of registry)
      t.ok(
        d.extensions.every((e) => /^\.[a-z]+$/.test(e)),
        `${kind} ${d.format}: endings are lower case with a dot`,
      );
  }
});

t.test('each loads a renderer', async (t) => {
  for (const [kind, registry] of Object.entries(KINDS)) {
    for (const d of registry) t.ok(await d.load(), `${kind} ${d.format}`);
  }
  for (const d of RULES_RENDERERS) {
    const loaded = await d.load();
    t.type(loaded.plan, 'function', `rules ${d.format}: the plan`);
    t.type(loaded.changes, 'function', `rules ${d.format}: --changes-since`);
  }
});

/** The help text is prose, written once for every command: what it names must be what the registries own. */
t.test('the help of --out names only endings a registry owns, and the usual ending of each format', async (t) => {
  const owned = new Set(Object.values(KINDS).flatMap(endingsOf));
  for (const help of [OUT_HELP, RULES_EXAMPLE.slice(RULES_EXAMPLE.indexOf('--out FILE'))]) {
    const named = [...help.matchAll(/(?<![\w$])\.[a-z]+\b/g)].map((m) => m[0]);
    t.ok(named.length > 3, 'the help names endings');
    for (const ending of named) t.ok(owned.has(ending), `${ending} is a registry's`);
  }
  for (const registry of Object.values(KINDS)) for (const d of registry) t.match(OUT_HELP, d.extensions[0] as string, `${d.format}: ${d.extensions[0] ?? ''}`);
});

/** `--help` builds every command's `-o`: a registry imports no renderer but by its lazy `load`. */
t.test('a registry loads no renderer until asked', async (t) => {
  const registries = readdirSync(RENDER, { recursive: true, encoding: 'utf8' }).filter((f) => path.basename(f) === 'registry.ts' || f === 'registries.ts');
  t.ok(registries.length >= 6, registries.join(', '));
  for (const file of registries) {
    const text = readFileSync(path.join(RENDER, file), 'utf8');
    const eager = [...text.matchAll(/^import (?!type )[^;]*from '([^']+)'/gm)].map((m) => m[1] as string).filter((s) => !/(^|\/)(format|registry|shared\/terminal)\.js$/.test(s));
    t.same(eager, [], `${file} imports only registries, the descriptor and the text options eagerly`);
  }
});
