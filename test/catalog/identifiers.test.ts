/**
 * What the catalog loader accepts, the rule renderers print: for each identifier at and past
 * its limits, either the file is refused when it loads, or every entry it gives passes the
 * renderers' own check. Before the rules were one module, a one-letter tag loaded and was then
 * left out of every generated rule.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { expandCatalog } from '../../src/catalog/expand.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { catalogFileSchema } from '../../src/catalog/schema.js';
import { defaultFacts } from '../../src/facts/facts.js';
import { InputError } from '../../src/model/errors.js';
import { isFqdnPattern, isHostName, isId, isServiceTag } from '../../src/model/identifiers.js';
import { planFromTargets } from '../../src/remedies/plan.js';
import { partitionEntries } from '../../src/remedies/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'aml-identifiers-'));
const emptyDir = mkdtempSync(join(tmpdir(), 'aml-identifiers-builtin-'));
t.teardown(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});
const facts = { ...defaultFacts(), cloud: 'public' as const, region: 'westus2' };
let count = 0;

interface Candidate {
  readonly feature?: string;
  readonly serviceTag?: string;
  readonly tagName?: string;
  readonly pattern?: string;
}

/** A catalog file of one feature and one entry; what the loader said, and what the renderers refused of it. */
function loadAndPlan(candidate: Candidate): { loaded: false; why: string } | { loaded: true; refused: string[]; entries: number } {
  const feature = candidate.feature ?? 'limits';
  const entry =
    candidate.pattern !== undefined
      ? `  - pattern: ${JSON.stringify(candidate.pattern)}\n`
      : `  - serviceTag: ${JSON.stringify(candidate.serviceTag ?? 'AzureMonitor')}\n${candidate.tagName === undefined ? '' : `    tagName: ${JSON.stringify(candidate.tagName)}\n`}    hosts:\n      public: [tag.corp.example.com]\n`;
  // A wildcard is checked through a concrete name the catalog maps it to.
  const wildcards = candidate.pattern?.startsWith('*') === true ? `wildcards:\n  - pattern: ${JSON.stringify(candidate.pattern)}\n    names: [${JSON.stringify(`name${candidate.pattern.slice(1)}`)}]\n` : '';
  const text = `section: limits\ntitle: Limits\nfeatures:\n  - id: ${JSON.stringify(feature)}\n    name: Limits\n${wildcards}entries:\n${entry}    ports: ["tcp:443"]\n    clouds: [public]\n    features: [${JSON.stringify(feature)}]\n    purpose: A value at its limit.\n`;
  const file = join(dir, `candidate-${count++}.yaml`);
  writeFileSync(file, text);
  let catalog;
  try {
    // Without the shipped catalog: the candidate file alone, read in a moment.
    catalog = loadCatalog({ builtinDir: emptyDir, extraFiles: [file] });
  } catch (error) {
    if (error instanceof InputError) return { loaded: false, why: error.toLine() };
    throw error;
  }
  const plan = planFromTargets(expandCatalog(catalog, facts, { features: [feature] }), facts);
  return { loaded: true, refused: partitionEntries(plan.allow).refused, entries: plan.allow.length };
}

const a = (n: number, char = 'a'): string => char.repeat(n);

const TAGS = ['S', 'Ab', 'AzureMonitor', 'Storage.westus2', 'AzureFrontDoor.FrontEnd', `T${a(79)}`, `T${a(80)}`, `Storage.Q${a(79)}`, `Storage.Q${a(80)}`, 'Storage.2west', 'Azure Monitor', 'a.b.c', 'Storage.', '9Storage'];
const FEATURES = ['a', 'limits', 'corp-2', `f${a(62)}`, `f${a(63)}`, 'corp-', 'corp--x', '2corp', 'Corp'];
const HOSTS = ['x.example.com', '*.corp.example.com', '*suffix.example.com', `${a(63)}.example.com`, `${a(64)}.example.com`, [a(63), a(63), a(63), a(61)].join('.'), [a(63), a(63), a(63), a(62)].join('.'), 'under_score.example.com', '-x.example.com', '*.com'];

t.test('a service tag or tag name that loads is one the renderers print', async (t) => {
  const outcomes = TAGS.flatMap((tag) => [loadAndPlan({ serviceTag: tag }), loadAndPlan({ serviceTag: 'Storage', tagName: tag })].map((outcome) => ({ tag, outcome })));
  for (const { tag, outcome } of outcomes) {
    t.equal(outcome.loaded, isServiceTag(tag), `${tag}: loads exactly when it is a service tag`);
    if (outcome.loaded) {
      t.equal(outcome.entries, 1, `${tag}: gives its rule`);
      t.same(outcome.refused, [], `${tag}: nothing left out when rendered`);
    }
  }
  t.ok(outcomes.some((o) => o.outcome.loaded) && outcomes.some((o) => !o.outcome.loaded), 'the candidates fall on both sides');
  t.match(loadAndPlan({ serviceTag: 'S' }), { loaded: false, why: /'S' is not a service tag name/ }, 'the one-letter tag of the issue is refused when it loads');
});

t.test('a feature id that loads is one the renderers print', async (t) => {
  for (const feature of FEATURES) {
    const outcome = loadAndPlan({ feature, pattern: 'x.example.com' });
    t.equal(outcome.loaded, isId(feature), `${feature}: loads exactly when it is an id`);
    if (outcome.loaded) {
      t.equal(outcome.entries, 1, `${feature}: gives its rule`);
      t.same(outcome.refused, [], `${feature}: nothing left out when rendered`);
    }
  }
});

t.test('a host pattern that loads is one the renderers print', async (t) => {
  for (const pattern of HOSTS) {
    const outcome = loadAndPlan({ pattern });
    t.equal(outcome.loaded, isFqdnPattern(pattern), `${pattern.slice(0, 40)}: loads exactly when it is a host or wildcard the renderers take`);
    if (outcome.loaded) {
      t.ok(outcome.entries > 0, `${pattern.slice(0, 40)}: gives a rule`);
      t.same(outcome.refused, [], `${pattern.slice(0, 40)}: nothing left out when rendered`);
    }
  }
  t.notOk(isHostName([a(63), a(63), a(63), a(62)].join('.')), '254 characters are one too many');
});

t.test('the catalog schema leaves identifiers to the loader: no second copy of their rules', async (t) => {
  const patterns: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}[${i}]`));
    else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'pattern' && typeof value === 'string') patterns.push(`${path}: ${value}`);
        walk(value, `${path}.${key}`);
      }
    }
  };
  walk(catalogFileSchema, 'schema');
  t.same(patterns, [], 'ids, service tags and hosts are checked by src/model/identifiers.ts alone');
});
