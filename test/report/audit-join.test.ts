/**
 * The join of the probes with the audit: which disagreements are contradictions, what the
 * probe's reason says about where the block is, and what is never claimed.
 */
import t from 'tap';
import type { AuditedTarget, AuditResult, AuditVerdict, FirewallRuleRef, NsgRuleRef } from '../../src/audit/types.js';
import type { ReasonCode } from '../../src/model/reasons.js';
import type { CheckedTarget } from '../../src/model/result.js';
import { joinAudit } from '../../src/report/audit-join.js';
import { sampleChecked } from '../helpers/targets.js';

const RULE: Omit<FirewallRuleRef, 'action'> = { layer: 'firewall', policy: 'fwp', group: 'g', groupPriority: 100, collection: 'c', collectionPriority: 200, rule: 'r', ruleType: 'NetworkRule' };
const ALLOWED: AuditVerdict = { verdict: 'allowed', rule: { ...RULE, action: 'Allow' } };
const DENIED: AuditVerdict = { verdict: 'denied', rule: { ...RULE, action: 'Deny' } };
const NSG_DENY: NsgRuleRef = { layer: 'nsg', nsg: 'nsg-ws', rule: 'DenyAllOutBound', priority: 65500, action: 'Deny', isDefault: true };

function auditOf(id: string, verdict: AuditVerdict, layers: AuditedTarget['layers'] = [{ layer: 'firewall', verdict }]): AuditResult {
  const target: AuditedTarget = { id, host: id.split(':')[0] as string, port: 443, protocol: 'tcp', required: true, features: [], verdict, layers };
  return { policies: [], nsgs: [], sources: [], targets: [target], exitCode: 0, change: { sourceAddresses: [], layers: [], verified: { allowed: [], otherVerdictsChanged: [] } }, advisories: [] };
}

/** `kind cause` of the one target's contradiction, or `-`. */
function joined(probe: CheckedTarget, verdict: AuditVerdict, layers?: AuditedTarget['layers']): string {
  const audit = joinAudit([probe], auditOf(probe.id, verdict, layers), []);
  const contradiction = audit.targets[0]?.contradiction ?? null;
  return contradiction === null ? '-' : `${contradiction.kind} ${contradiction.cause}`;
}

const blocked = (reason: ReasonCode, overrides: Partial<CheckedTarget> = {}): CheckedTarget => sampleChecked('a.test:443', 'blocked', reason, overrides);
const reached = (overrides: Partial<CheckedTarget> = {}): CheckedTarget => sampleChecked('a.test:443', 'reachable', null, overrides);

t.test('allowed by the rules, blocked by the probe: the reason says where the block more likely is', async (t) => {
  const causes: Record<string, string> = {};
  for (const reason of ['dns-nxdomain', 'dns-timeout', 'dns-not-private', 'dns-sinkholed', 'tcp-timeout', 'tcp-refused', 'tls-reset', 'tls-untrusted', 'tls-not-tls', 'http-denied', 'http-gateway-error', 'proxy-denied', 'proxy-auth-required'] as const)
    causes[reason] = joined(blocked(reason), ALLOWED);
  t.same(causes, {
    'dns-nxdomain': 'allowed-but-blocked dns',
    'dns-timeout': 'allowed-but-blocked dns',
    'dns-not-private': 'allowed-but-blocked dns',
    'dns-sinkholed': 'allowed-but-blocked dns',
    'tcp-timeout': 'allowed-but-blocked path',
    'tcp-refused': 'allowed-but-blocked path',
    'tls-reset': 'allowed-but-blocked path',
    'tls-untrusted': 'allowed-but-blocked tls-middlebox',
    'tls-not-tls': 'allowed-but-blocked tls-middlebox',
    'http-denied': 'allowed-but-blocked deny-page',
    'http-gateway-error': 'allowed-but-blocked device',
    'proxy-denied': 'allowed-but-blocked proxy',
    'proxy-auth-required': 'allowed-but-blocked proxy',
  });
  const dns = joinAudit([blocked('dns-nxdomain')], auditOf('a.test:443', ALLOWED), []).targets[0];
  t.match(dns?.contradiction?.explanation, /^the configuration allows it \(by g\/c\/r \(100\/200, network, fwp\)\), yet the probe was blocked: the name did not resolve as needed \(dns-nxdomain\), before any firewall saw a packet: a DNS problem, not the firewall's rules$/);
});

t.test('denied by the rules, through in the probe: the traffic does not pass them', async (t) => {
  t.equal(joined(reached(), DENIED), 'denied-but-reached bypass');
  t.equal(joined(reached(), { verdict: 'no-rule' }), 'denied-but-reached bypass', 'the implicit deny denies too');
  t.equal(joined(reached(), { verdict: 'inexpressible', rule: { ...RULE, action: 'Allow' }, reason: 'FQDN in a network rule needs the DNS proxy' }), 'denied-but-reached bypass', 'a rule that cannot work allows nothing');
  t.equal(joined(reached({ via: 'proxy' }), DENIED), 'denied-but-reached proxy-source', 'through the proxy, the firewall saw the proxy');
  const nsg = joinAudit(
    [reached()],
    auditOf('a.test:443', { verdict: 'denied', rule: NSG_DENY }, [
      { layer: 'nsg', verdict: { verdict: 'denied', rule: NSG_DENY } },
      { layer: 'firewall', verdict: ALLOWED },
    ]),
    [],
  ).targets[0];
  t.match(nsg?.contradiction?.explanation, /yet the probe got through: the NSG given is not on the path from here, or the export is older/, 'the layer that denies is the one named');
  const connected = { tcp: [{ ok: true, phase: 'tcp', ms: 1, details: {} }] } as unknown as Partial<CheckedTarget['phases']>;
  t.equal(joined(sampleChecked('a.test:443', 'warning', null, { phases: { ...reached().phases, ...connected } as CheckedTarget['phases'] }), DENIED), 'denied-but-reached bypass', 'a warning after a connection proves the path');
});

t.test('no contradiction is claimed where either side says nothing, or both agree', async (t) => {
  t.equal(joined(blocked('tcp-timeout'), DENIED), '-', 'both block');
  t.equal(joined(reached(), ALLOWED), '-', 'both let it through');
  t.equal(joined(blocked('tcp-timeout'), { verdict: 'depends', on: ['service tag Storage'], rule: null }), '-', 'the rules depend on data not given');
  t.equal(joined(reached(), { verdict: 'depends', on: ['IP group ipg-hub'], rule: { ...RULE, action: 'Deny' } }), '-');
  t.equal(joined(reached(), { verdict: 'not-audited', reason: 'inbound' }), '-', 'not audited');
  t.equal(joined(sampleChecked('a.test:443', 'skipped', null), DENIED), '-', 'a skipped probe proves nothing');
  t.equal(joined(sampleChecked('a.test:443', 'unknown', 'aborted'), ALLOWED), '-', 'an unfinished probe proves nothing');
  t.equal(joined(sampleChecked('a.test:443', 'warning', 'udp-unverified'), DENIED), '-', 'a silent UDP port proves nothing');
});

t.test('each target is matched by id; one the audit lacks is not audited', async (t) => {
  const audit = joinAudit([reached(), sampleChecked('b.test:443', 'blocked', 'tcp-timeout')], auditOf('a.test:443', DENIED), [{ file: 'p.json', kind: 'firewall-policy' }]);
  t.same(
    audit.targets.map((a) => [a.id, a.explanation]),
    [
      ['a.test:443', 'denied by g/c/r (100/200, network, fwp)'],
      ['b.test:443', 'not audited: the audit has no such target'],
    ],
  );
  t.equal(audit.contradictions, 1);
  t.same(audit.inputs, [{ file: 'p.json', kind: 'firewall-policy' }]);
});
