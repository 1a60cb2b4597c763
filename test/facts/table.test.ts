import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import t from 'tap';
import { FACT_ROWS, type ConditionRow, type JsonSource } from '../../src/facts/table.js';
import { defaultFacts, resolveFacts } from '../../src/facts/facts.js';
import { readWorkspaceJson } from '../../src/facts/workspace-json.js';
import { PLACEHOLDERS } from '../../src/catalog/placeholders.js';
import { CONDITIONS } from '../../src/catalog/conditions.js';
import { workspaceOptions } from '../../src/commands/shared/workspace-options.js';
import { factsFromFlags } from '../../src/commands/shared/workspace.js';
import { formatKeyPath } from '../../src/model/errors.js';
import type { WorkspaceFacts } from '../../src/model/facts.js';

// Each test walks the rows: a fact added as one row is covered by all of them.

function argsFor(row: (typeof FACT_ROWS)[number]): string[] {
  return row.kind === 'boolean' ? [row.flag] : [row.flag, row.example as string];
}

function parse(args: string[]): Record<string, unknown> {
  const command = new Command('x').exitOverride();
  for (const option of workspaceOptions()) command.addOption(option);
  command.parse(args, { from: 'user' });
  return command.opts();
}

t.test('every row has a flag, help, and an example that passes its own check', async (t) => {
  t.ok(FACT_ROWS.length >= 16);
  t.equal(new Set(FACT_ROWS.map((r) => r.flag)).size, FACT_ROWS.length, 'flags are unique');
  for (const row of FACT_ROWS) {
    t.ok(row.help.length > 10, `${row.key} has help`);
    if (row.kind !== 'boolean') t.type(row.example, 'string', `${row.key} has an example`);
    if (row.kind === 'boolean') t.equal(typeof defaultFacts()[row.key], 'boolean', `${row.key} is a boolean fact`);
    if (row.kind === 'list' || row.kind === 'comma-list') t.ok(Array.isArray(defaultFacts()[row.key]), `${row.key} defaults to a list`);
  }
});

t.test('every row yields its commander option, and the flag reaches its fact through the checks', async (t) => {
  const options = workspaceOptions().map((o) => o.long);
  for (const row of FACT_ROWS) {
    t.ok(options.includes(row.flag), `${row.flag} is an option`);
    if (row.kind === 'boolean') t.ok(options.includes(row.flag.replace('--', '--no-')), `--no-${row.flag.slice(2)} too`);
    const facts = factsFromFlags(parse(argsFor(row)));
    t.same(Object.keys(facts), [row.key], `${row.flag} gives ${row.key} and nothing else`);
    const resolved = resolveFacts([{ facts, source: () => row.flag }]).facts;
    const expected = row.kind === 'boolean' ? true : row.kind === 'string' ? row.check?.(row.example as string, row.flag) : [row.check?.(row.example as string, row.flag) ?? row.example];
    t.same(resolved[row.key], expected ?? row.example, `${row.flag} ${row.example ?? ''} resolves`);
    if (row.kind === 'boolean') t.equal(factsFromFlags(parse([row.flag.replace('--', '--no-')]))[row.key], false, `--no-${row.flag.slice(2)} says false`);
    if (row.kind !== 'boolean') t.throws(() => resolveFacts([{ facts: { [row.key]: row.kind === 'string' ? '!!' : ['!!'] }, source: () => row.flag }]), { message: /./, where: row.flag as string }, `${row.flag} checks its value`);
  }
});

t.test('a row with a placeholder yields it, filled from the fact and naming the flag', async (t) => {
  for (const row of FACT_ROWS) {
    if (!('placeholder' in row) || !row.placeholder) continue;
    const spec = PLACEHOLDERS.get(row.placeholder.name);
    t.equal(spec?.flag, row.flag, `<${row.placeholder.name}> names ${row.flag}`);
    t.equal(spec?.wholeHost, row.placeholder.wholeHost);
    t.same(spec?.values(defaultFacts()), [], `<${row.placeholder.name}> is missing by default`);
    const value = row.kind === 'list' ? [row.example] : row.example;
    t.same(spec?.values({ ...defaultFacts(), [row.key]: value } as WorkspaceFacts), [String(row.example).toLowerCase()]);
  }
});

t.test('a row with a condition yields it, holding exactly when the fact is true (or false, for a whileFalse one)', async (t) => {
  let negated = 0;
  for (const row of FACT_ROWS) {
    if (!('condition' in row) || !row.condition) continue;
    const conditions: readonly ConditionRow[] = Array.isArray(row.condition) ? row.condition : [row.condition as ConditionRow];
    for (const condition of conditions) {
      const spec = CONDITIONS.get(condition.id);
      const whileFalse = condition.whileFalse === true;
      if (whileFalse) negated++;
      // The flag a skip names is the one that makes the condition hold.
      t.equal(spec?.flag, whileFalse ? row.flag.replace('--', '--no-') : row.flag);
      t.equal(spec?.when, condition.when);
      t.equal(spec?.holds(defaultFacts()), whileFalse, `${condition.id} by default`);
      t.equal(spec?.holds({ ...defaultFacts(), [row.key]: true }), !whileFalse, `${condition.id} with ${row.flag}`);
      t.equal(spec?.holds({ ...defaultFacts(), [row.key]: false }), whileFalse, `${condition.id} with --no-${row.flag.slice(2)}`);
    }
  }
  t.equal(negated, 2, 'two conditions hold while their fact is false (Azure Monitor not secured; compute without a public IP)');
});

/** A document of each shape that holds just the key under test. */
const SHAPE_SKELETON = {
  arm: () => ({ name: 'ws1', properties: {} }),
  'cli-v2': () => ({ name: 'ws1', resource_group: 'rg1' }),
  'sdk-v1': () => ({ name: 'ws1', friendlyName: 'ws1' }),
} as const;

function jsonValue(row: (typeof FACT_ROWS)[number], source: JsonSource): unknown {
  switch (source.read) {
    case 'string':
      return row.example;
    case 'resource-id':
      return `/subscriptions/s/resourceGroups/rg/providers/${source.type}/${row.example}`;
    case 'boolean':
      return true;
    case 'has-items':
      return [{ id: 'pe1' }];
    case 'access-disabled':
      return 'Disabled';
    case 'api-url-cloud':
      return 'https://usgovvirginia.api.ml.azure.us/discovery';
  }
}

t.test('a row is read from every workspace-JSON shape that lists it, from each place it lists', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'aml-netcheck-table-'));
  let files = 0;
  for (const row of FACT_ROWS) {
    for (const [shape, sources] of Object.entries(row.json ?? {}) as Array<[keyof typeof SHAPE_SKELETON, readonly JsonSource[]]>) {
      for (const source of sources) {
        const document: Record<string, unknown> = SHAPE_SKELETON[shape]();
        let holder = document;
        source.path.slice(0, -1).forEach((key) => (holder = (holder[key] ??= {}) as Record<string, unknown>));
        holder[source.path[source.path.length - 1] as string] = jsonValue(row, source);
        const file = join(dir, `${row.key}-${shape}-${files++}.json`);
        writeFileSync(file, JSON.stringify(document));
        const layer = readWorkspaceJson(file);
        t.not(layer.facts[row.key as keyof WorkspaceFacts], undefined, `${shape} ${formatKeyPath(source.path)} gives ${row.key}`);
        t.equal(layer.source(row.key), `${file}: ${formatKeyPath(source.path)}`, 'and errors point there');
      }
    }
  }
  t.ok(files > 25, `${files} shape/key combinations`);
});
