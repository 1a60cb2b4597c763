import type { NodeReport } from '../../src/report/merge.js';
import type { CheckReport } from '../../src/report/report.js';
import { recordedReport } from './sample-diff.js';

/**
 * Three nodes of one fleet run with different verdicts for the same five targets, from runs
 * recorded in the simulated VNet: node-a goes out through the proxy (SMB 445 refused), node-b
 * has no proxy and nothing gets out, node-c reaches every endpoint.
 */
export const FLEET = {
  'node-a': 'proxy-with-proxy',
  'node-b': 'proxy-without-the-proxy-nothing-gets-out',
  'node-c': 'dns-every-endpoint-reachable-exit-0-every-target-reachable-every-feature-ok',
} as const;

export function fleetNodes(): NodeReport[] {
  return Object.entries(FLEET).map(([node, name]) => ({ node, source: `${name}.json`, report: recordedReport(name) }));
}

/**
 * Two nodes of one private-endpoint VNet, recorded: node-ok resolves the compute instance
 * to the workspace's private endpoint, node-ci to another address, which the check reports
 * as a warning on the three compute instance targets (compute-instance degraded there).
 */
export const WARNING_FLEET = {
  'node-ok': 'private-endpoint-a-correctly-configured-private-endpoint-vnet-no-false-alarm',
  'node-ci': 'private-endpoint-a-compute-instance-name-that-points-away-from-the-workspace-private-endpo',
} as const;

/** A recorded UDP run: a silent port (udp-unverified, a warning), two blocked, one reachable. */
export const UDP_REPORT = 'udp-check-with-a-udp-catalog-in-the-vnet-a-drop-is-a-warning-exit-0-a-reject-or-prohibit-b';

export function warningNodes(): NodeReport[] {
  return Object.entries(WARNING_FLEET).map(([node, name]) => ({ node, source: `${name}.json`, report: recordedReport(name) }));
}

export interface ConfigMapItem {
  readonly name: string;
  readonly node?: string;
  /** The report, or a ConfigMap not written yet when absent. */
  readonly report?: CheckReport | string;
}

/** What `kubectl get configmap -l aml-netcheck/run=<id> -o json` prints for these ConfigMaps. */
export function configMapList(items: readonly ConfigMapItem[], run = 'run1', kind: 'List' | 'ConfigMapList' = 'List'): string {
  return `${JSON.stringify(
    {
      apiVersion: 'v1',
      kind,
      items: items.map((item) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: item.name,
          namespace: 'azureml',
          resourceVersion: '4711',
          uid: '9b7a2c1e-0000-4000-8000-000000000000',
          creationTimestamp: '2026-11-23T16:40:00Z',
          labels: {
            'app.kubernetes.io/name': 'aml-netcheck',
            'app.kubernetes.io/component': 'report',
            'aml-netcheck/run': run,
            ...(item.node === undefined ? {} : { 'aml-netcheck/node': item.node }),
          },
        },
        ...(item.report === undefined ? {} : { data: { 'report.json': typeof item.report === 'string' ? item.report : `${JSON.stringify(item.report, null, 2)}\n` } }),
      })),
      metadata: { resourceVersion: '' },
    },
    null,
    4,
  )}\n`;
}
