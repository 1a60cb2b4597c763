import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BundleContext, SystemView } from '../../src/bundle/contract.js';
import type { CheckReport } from '../../src/report/report.js';
import { sampleReport } from '../helpers/sample-report.js';

/** What a fixture path holds: text, a directory, or a FIFO nobody writes to. */
export type FixtureEntry = string | { readonly dir: true } | { readonly fifo: true };

/** A fake `/` for the collectors: only the files a test gives exist. */
export function fixtureRoot(t: { teardown(fn: () => unknown): void }, entries: Readonly<Record<string, FixtureEntry>>): string {
  const root = mkdtempSync(join(tmpdir(), 'amlnc-bundle-root-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, entry] of Object.entries(entries)) {
    const full = join(root, path);
    if (typeof entry === 'string') {
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, entry);
    } else if ('dir' in entry) mkdirSync(full, { recursive: true });
    else {
      mkdirSync(dirname(full), { recursive: true });
      execFileSync('mkfifo', [full]);
    }
  }
  return root;
}

const FAKE_SYSTEM: SystemView = {
  hostname: () => 'jumpbox-1',
  osType: () => 'Linux',
  kernel: () => '6.1.0-test',
  kernelVersion: () => '#1 SMP',
  arch: () => 'x64',
  networkInterfaces: () => ({
    eth0: [{ address: '10.0.0.4', netmask: '255.255.255.0', family: 'IPv4', mac: '00:00:00:00:00:01', internal: false, cidr: '10.0.0.4/24' }],
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  }),
};

export function fakeContext(root: string, overrides: Partial<BundleContext> = {}): BundleContext {
  const report: CheckReport = sampleReport();
  return {
    root,
    env: {},
    system: FAKE_SYSTEM,
    report,
    catalogSources: [],
    log: '',
    toolVersion: '9.9.9',
    nodeVersion: 'v20.0.0',
    proxyFlag: undefined,
    ...overrides,
  };
}

/** /proc/net/route as a little-endian kernel writes it: default via 10.0.0.1, 10.0.0.0/24 on eth0, a host route. */
export const PROC_NET_ROUTE = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
  'eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0',
  'eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
  'eth0\t0400A8C0\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t1400\t0\t0',
  '',
].join('\n');

export const PROC_NET_IPV6_ROUTE = [
  'fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0',
  '00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000001 00000000 00000003     eth0',
  '',
].join('\n');
