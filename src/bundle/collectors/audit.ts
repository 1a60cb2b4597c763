import { REDACTED } from '../../model/redact.js';
import { renderAuditJson } from '../../render/audit/json.js';
import { CollectorSkipped, type Collector, type CollectedFile } from '../contract.js';

/**
 * The exported rules given with --config, and the audit of them. What in an export is secret:
 * the values the redactor knows (keys, SAS, tokens, passwords, connection strings, secret-named
 * keys), and the default of an ARM template's secure parameter (`securestring`,
 * `secureObject`), which is a secret whatever it looks like. Subscription ids, resource group
 * and rule names, addresses and FQDNs stay: they are what the engineer reading the ticket needs
 * to find the rule, and the report names them already; `--redact` hides any of them.
 */

/** The export with every secure parameter's default replaced, at any depth (nested deployments too). */
function withoutSecureDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecureDefaults);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const secure = typeof object['type'] === 'string' && /^secure(string|object)$/i.test(object['type']);
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, secure && (key === 'defaultValue' || key === 'value') ? REDACTED : withoutSecureDefaults(inner)]));
}

export const auditCollector: Collector = {
  name: 'audit',
  describes: 'the exported rules given with --config (audit/config-N-KIND.json, redacted; audit/index.json says which file each was) and their audit (audit/audit.json, as `aml-netcheck audit -o json` prints it)',
  collect: ({ audit }) => {
    if (audit === undefined) throw new CollectorSkipped('no --config given');
    // Numbered, never named after the user's file: a path may say more than the ticket should.
    const inputs: CollectedFile[] = audit.inputs.map((input, i) => ({ name: `audit/config-${i + 1}-${input.kind}.json`, content: { json: withoutSecureDefaults(input.document) } }));
    const index = audit.inputs.map((input, i) => ({ file: input.file, kind: input.kind, savedAs: inputs[i]?.name }));
    return { files: [...inputs, { name: 'audit/index.json', content: { json: index } }, { name: 'audit/audit.json', content: { json: JSON.parse(renderAuditJson(audit.result)) as unknown } }] };
  },
};
