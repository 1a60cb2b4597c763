/**
 * `check --config` in a simulated VNet: the nftables rules the namespace applies are also
 * written as the admin's exported Azure Firewall Policy, from the same list, so the export
 * and the firewall cannot drift. With that export, each blocked target names the rule that
 * blocks it; an export that claims to allow a blocked target, or denies one the namespace
 * lets through, is called out as a contradiction, and neither changes a verdict.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { writeExport, type ExportGroup, type ExportRule } from '../helpers/firewall-export.js';
import { AD_AND_STORAGE, BLOB, FILE, ID, LOGIN, addressOf, healthyAdAndStorage, outcomes, reportOf, requireRoot, startVnet, type FirewallRule, type Report } from '../helpers/vnet.js';

/** What the simulated firewall blocks: each entry is an nftables rule and a Deny rule of the export. */
interface Block {
  readonly rule: string;
  readonly host: string;
  readonly port: number;
  readonly action: FirewallRule['action'];
}

const BLOCKS: readonly Block[] = [
  { rule: 'st1-smb', host: FILE, port: 445, action: 'drop' },
  { rule: 'login-http', host: LOGIN, port: 80, action: 'reset' },
];

/** Every address the VNet's hosts and the CLI use. */
const VNET_SOURCES = ['10.99.0.0/16'];

function nftRules(blocks: readonly Block[]): FirewallRule[] {
  return blocks.map((b) => ({ address: addressOf(b.host), port: b.port, action: b.action }));
}

/** The policy as the admin exported it: the blocks as a Deny collection, then an allow for the rest of TCP. */
function exportOf(denied: readonly Block[]): ExportGroup[] {
  const rules: ExportRule[] = denied.map((b) => ({ name: b.rule, host: b.host, port: b.port, kind: 'network' }));
  return [
    {
      name: 'vnet-egress',
      priority: 200,
      collections: [
        { name: 'deny-blocked', priority: 100, action: 'Deny', rules },
        { name: 'allow-rest', priority: 300, action: 'Allow', rules: [], anyTcp: true },
      ],
    },
  ];
}

interface JoinedReport extends Report {
  readonly audit?: {
    readonly contradictions: number;
    readonly targets: ReadonlyArray<{ readonly id: string; readonly verdict: { readonly verdict: string }; readonly explanation: string; readonly contradiction: { readonly kind: string; readonly cause: string; readonly explanation: string } | null }>;
  };
}

function audited(report: JoinedReport): Record<string, string> {
  return Object.fromEntries((report.audit?.targets ?? []).map((a) => [a.id, a.contradiction === null ? a.explanation : `${a.explanation} | ${a.contradiction.kind} ${a.contradiction.cause}`]));
}

const ALLOWED = 'allowed by vnet-egress/allow-rest/any-tcp (200/300, network, fwp-';
const denied = (block: Block, policy: string): string => `denied by vnet-egress/deny-blocked/${block.rule} (200/100, network, ${policy})`;

t.test('the export of the rules the VNet applies names the rule of each blocked target; stale exports are contradicted both ways', async (t) => {
  if (!requireRoot(t)) return;
  const vnet = await startVnet(t, { hosts: healthyAdAndStorage() });
  await vnet.firewall(...nftRules(BLOCKS));
  const dir = await mkdtemp(path.join(tmpdir(), 'amlnc-vnet-audit-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const [smb, http] = BLOCKS as [Block, Block];
  const probes = {
    [ID.login80]: 'blocked tcp-refused',
    [ID.login443]: 'reachable -',
    [ID.blob443]: 'reachable -',
    [ID.file443]: 'reachable -',
    [ID.file445]: 'blocked tcp-timeout',
  };

  await t.test('the export as applied: every blocked target names its rule, no contradiction', async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, ...(await writeExport(dir, 'fwp-applied', exportOf(BLOCKS), VNET_SOURCES))]), 1) as JoinedReport;
    t.same(outcomes(report), probes, 'the probes as without --config');
    t.same(audited(report), {
      [ID.login80]: denied(http, 'fwp-applied'),
      [ID.login443]: `${ALLOWED}applied)`,
      [ID.blob443]: `${ALLOWED}applied)`,
      [ID.file443]: `${ALLOWED}applied)`,
      [ID.file445]: denied(smb, 'fwp-applied'),
    });
    t.equal(report.audit?.contradictions, 0);
  });

  await t.test('an export that allows the dropped SMB port: the block is elsewhere, on the path', async (t) => {
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, ...(await writeExport(dir, 'fwp-stale-allow', exportOf([http]), VNET_SOURCES))]), 1) as JoinedReport;
    t.same(outcomes(report), probes, 'the contradiction turns nothing green');
    t.same(audited(report), {
      [ID.login80]: denied(http, 'fwp-stale-allow'),
      [ID.login443]: `${ALLOWED}stale-allow)`,
      [ID.blob443]: `${ALLOWED}stale-allow)`,
      [ID.file443]: `${ALLOWED}stale-allow)`,
      [ID.file445]: `${ALLOWED}stale-allow) | allowed-but-blocked path`,
    });
    const smbAudit = report.audit?.targets.find((a) => a.id === ID.file445);
    t.match(smbAudit?.contradiction?.explanation, /yet the probe was blocked: packets were dropped on the way \(tcp-timeout\): an NSG not given, a route that sends the traffic past the firewall, or another appliance$/);
  });

  await t.test('an export that denies blob storage, which the VNet lets through: the traffic does not pass that firewall', async (t) => {
    const blob: Block = { rule: 'st1-blob', host: BLOB, port: 443, action: 'reset' };
    const report = reportOf(t, await vnet.check([...AD_AND_STORAGE, ...(await writeExport(dir, 'fwp-stale-deny', exportOf([...BLOCKS, blob]), VNET_SOURCES))]), 1) as JoinedReport;
    t.same(outcomes(report), probes, 'the contradiction turns nothing red');
    t.equal(audited(report)[ID.blob443], `${denied(blob, 'fwp-stale-deny')} | denied-but-reached bypass`);
    t.equal(report.audit?.contradictions, 1, 'only blob storage');
    t.same(
      report.features.map((f) => [f.id, f.status]),
      [
        ['azure-ad', 'broken'],
        ['workspace-storage', 'broken'],
      ],
      'features as the probes judge them',
    );
  });
});
