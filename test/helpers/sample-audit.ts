import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditTargets } from '../../src/audit/audit.js';
import { readConfigs } from '../../src/audit/read.js';
import type { AuditResult } from '../../src/audit/types.js';
import { expandCatalog } from '../../src/catalog/expand.js';
import { resolveWorkspace } from '../../src/commands/shared/workspace.js';

/**
 * Audit results as `audit` builds them, from the exports in test/fixtures/audit (shaped as the
 * Microsoft.Network REST API 2024-05-01 defines them) against workspace ws1 of the command tests.
 */

export const AUDIT_FIXTURES = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));

const workspace = resolveWorkspace({ region: 'westus2', workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11', workspaceName: 'ws1', storageAccount: 'st1', keyVault: 'kv1', containerRegistry: 'acr1', computeInstance: ['ci1'] } as never);
const TARGETS = expandCatalog(workspace.catalog, workspace.facts);

/** The audit of the fixtures named (files under test/fixtures/audit, or absolute paths), from `sources`; with what `audit` adds for its reports. */
export function sampleAudit(files: readonly string[], sources: readonly string[] = ['10.0.1.0/24']): AuditResult {
  const config = readConfigs(files.map((file) => (file.startsWith('/') ? file : `${AUDIT_FIXTURES}${file}`)));
  const featureNames = Object.fromEntries([...workspace.catalog.features.values()].map((f) => [f.id, f.name]));
  return { ...auditTargets(config, TARGETS, sources), warnings: config.warnings, featureNames, auditedAt: '2026-12-02T18:00:00.000Z' };
}

/** The common mistakes (test/fixtures/audit/mistakes-*) behind the NSG that denies all outbound at 4000. */
export const MISTAKES_BEHIND_NSG = ['nsg-show.json', 'mistakes-policy.json', 'mistakes-groups.json'];

/**
 * The mistakes' rule collection groups with a rule, a collection and a group renamed to text
 * that would break Markdown, HTML, XML or a terminal, written to `dir`; returns the file.
 */
export function hostileGroups(dir: string, name: string): string {
  const groups = JSON.parse(readFileSync(`${AUDIT_FIXTURES}mistakes-groups.json`, 'utf8')) as Array<{ name: string; id: string; ruleCollections: Array<{ name: string; rules: Array<{ name: string }> }> }>;
  const first = groups[0];
  if (first === undefined) throw new Error('mistakes-groups.json holds no group');
  first.name = name;
  first.id = first.id.replace(/ruleCollectionGroups\/.*$/, `ruleCollectionGroups/${name}`);
  for (const collection of first.ruleCollections) {
    collection.name = name;
    for (const rule of collection.rules) rule.name = name;
  }
  const file = `${dir}/hostile-groups.json`;
  writeFileSync(file, JSON.stringify(groups));
  return file;
}
