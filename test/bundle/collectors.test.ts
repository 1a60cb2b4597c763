import t from 'tap';
import { runCollectors, CollectorSkipped, type Collected, type CollectedFile, type Collector } from '../../src/bundle/contract.js';
import { systemCollector } from '../../src/bundle/collectors/system.js';
import { hostsCollector, hostsLinesTouching, resolvConfCollector } from '../../src/bundle/collectors/dns.js';
import { interfacesCollector, parseIpv4Routes, parseIpv6Routes, routesCollector } from '../../src/bundle/collectors/network.js';
import { clockCollector, clockOffset } from '../../src/bundle/collectors/clock.js';
import { proxyCollector } from '../../src/bundle/collectors/proxy.js';
import { catalogCollector } from '../../src/bundle/collectors/catalog.js';
import { MAX_SYSTEM_FILE_BYTES } from '../../src/bundle/read-file.js';
import type { CheckReport } from '../../src/report/report.js';
import type { CheckedTarget } from '../../src/model/result.js';
import { fakeContext, fixtureRoot, PROC_NET_IPV6_ROUTE, PROC_NET_ROUTE } from './fixture.js';
import { LOAD_SLACK_MS } from '../helpers/timing.js';

type Json = Record<string, unknown>;

function only(result: Collected): { name: string; json?: unknown; text?: string } {
  t.equal(result.files.length, 1, 'one file');
  const { name, content } = result.files[0] as CollectedFile;
  if ('json' in content) return { name, json: content.json };
  if ('text' in content) return { name, text: content.text };
  throw new TypeError(`${name} is neither JSON nor text`);
}

async function outcomeOf(collector: Collector, context: ReturnType<typeof fakeContext>) {
  const { files, outcomes } = await runCollectors([collector], context);
  return { files, outcome: outcomes[0] };
}

t.test('system: a Kubernetes pod, its namespace, name and node from the downward API variables', async (t) => {
  const root = fixtureRoot(t, {
    '.dockerenv': '',
    'etc/os-release': 'NAME="Ubuntu"\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\n',
    'proc/1/cgroup': '0::/kubepods/besteffort/pod1234/abcd\n',
  });
  const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', POD_NAME: 'netcheck-abc', POD_NAMESPACE: 'ml', NODE_NAME: 'aks-node-1', NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem', UNRELATED_SECRET: 'x' };
  const json = only(await systemCollector.collect(fakeContext(root, { env }))).json as Json;
  t.match(json, {
    hostname: 'jumpbox-1',
    os: { type: 'Linux', distribution: 'Ubuntu 22.04.4 LTS', kernel: '6.1.0-test', arch: 'x64' },
    node: 'v20.0.0',
    amlNetcheck: '9.9.9',
    container: { detected: true, hints: ['/.dockerenv exists (docker)', '/proc/1/cgroup names kubernetes'] },
    kubernetes: { pod: { namespace: { value: 'ml', from: '$POD_NAMESPACE' }, name: { value: 'netcheck-abc', from: '$POD_NAME' }, node: { value: 'aks-node-1', from: '$NODE_NAME' } } },
  });
  t.same(json['variables'], { NODE_EXTRA_CA_CERTS: '/etc/ssl/corp.pem' }, 'only the variables that bear on trust; nothing else from the environment');
});

t.test('system: in a pod without those variables, the namespace comes from the service account, the name from the host name', async (t) => {
  const root = fixtureRoot(t, { 'var/run/secrets/kubernetes.io/serviceaccount/namespace': 'team-a\n', 'var/run/secrets/kubernetes.io/serviceaccount/token': 'NEVER-READ' });
  const json = only(await systemCollector.collect(fakeContext(root))).json as Json;
  t.same((json['kubernetes'] as Json)['pod'], { namespace: { value: 'team-a', from: '/var/run/secrets/kubernetes.io/serviceaccount/namespace' }, name: { value: 'jumpbox-1', from: 'host name' }, node: null });
  t.notMatch(JSON.stringify(json), /NEVER-READ/, 'the service account token is never read');
});

t.test('system: a plain machine is no container, and missing files are not problems', async (t) => {
  const root = fixtureRoot(t, {});
  const { files, outcome } = await outcomeOf(systemCollector, fakeContext(root));
  t.match(outcome, { status: 'ok', problems: [] });
  t.match((files[0]?.content as { json: Json }).json, { os: { distribution: null }, container: { detected: false, hints: [] }, kubernetes: null });
});

t.test('resolv.conf: copied as it is; every fault is one line and never a hang', async (t) => {
  const text = '# managed by cloud-init\nnameserver 168.63.129.16\nsearch reddog.microsoft.com\n';
  t.same(only(await resolvConfCollector.collect(fakeContext(fixtureRoot(t, { 'etc/resolv.conf': text })))), { name: 'environment/resolv.conf', text });
  const faults: Array<[string, Parameters<typeof fixtureRoot>[1], RegExp]> = [
    ['missing', {}, /^\/etc\/resolv\.conf: not there \(ENOENT\)$/],
    ['a directory', { 'etc/resolv.conf': { dir: true } }, /^\/etc\/resolv\.conf: is a directory, not a file$/],
    ['a FIFO nobody writes to', { 'etc/resolv.conf': { fifo: true } }, /^\/etc\/resolv\.conf: not a regular file \(a FIFO, socket or device\), not read$/],
    ['oversized', { 'etc/resolv.conf': 'x'.repeat(MAX_SYSTEM_FILE_BYTES + 1) }, /^\/etc\/resolv\.conf: larger than 1024 KiB, not included$/],
  ];
  for (const [name, entries, message] of faults) {
    const started = performance.now();
    const { files, outcome } = await outcomeOf(resolvConfCollector, fakeContext(fixtureRoot(t, entries)));
    t.same(files, [], `${name}: no file`);
    t.equal(outcome?.status, 'failed', `${name}: failed`);
    t.match(outcome?.problems, [message], `${name}: the reason in one line`);
    t.ok(performance.now() - started < LOAD_SLACK_MS, `${name}: at once`);
  }
});

t.test('hosts: only the lines that name a catalog host or one in its zones', async (t) => {
  const hosts = ['127.0.0.1 localhost', '10.0.1.4 st1.blob.core.windows.net # pinned by hand', '10.0.1.5 st1.privatelink.blob.core.windows.net', '10.0.1.6 LOGIN.microsoftonline.com.', '10.9.9.9 example.windows.net', '# 10.0.1.7 st1.file.core.windows.net', ''].join('\n');
  t.same(hostsLinesTouching(hosts, ['st1.blob.core.windows.net', 'login.microsoftonline.com']), {
    lines: ['10.0.1.4 st1.blob.core.windows.net # pinned by hand', '10.0.1.5 st1.privatelink.blob.core.windows.net', '10.0.1.6 LOGIN.microsoftonline.com.'],
    others: 2,
  });
  const file = only(await hostsCollector.collect(fakeContext(fixtureRoot(t, { 'etc/hosts': hosts }))));
  t.equal(file.name, 'environment/hosts.txt');
  t.match(file.text, /^# \/etc\/hosts: 1 line\(s\) naming a catalog host or one in its zones; 4 other entries left out\.\n10\.0\.1\.6 LOGIN\.microsoftonline\.com\.\n$/, 'the sample report checks login.microsoftonline.com');
});

t.test('interfaces: names from /sys/class/net with MTU and state, addresses from the system', async (t) => {
  const root = fixtureRoot(t, { 'sys/class/net/eth0/mtu': '1400\n', 'sys/class/net/eth0/operstate': 'up\n', 'sys/class/net/lo/mtu': '65536\n', 'sys/class/net/lo/operstate': { dir: true } });
  const { files, outcome } = await outcomeOf(interfacesCollector, fakeContext(root));
  t.same((files[0]?.content as { json: unknown }).json, [
    { name: 'eth0', mtu: 1400, state: 'up', addresses: ['10.0.0.4/24'] },
    { name: 'lo', mtu: 65536, state: null, addresses: ['127.0.0.1/8'] },
  ]);
  t.same(outcome, { collector: 'interfaces', status: 'partial', files: ['environment/interfaces.json'], problems: ['/sys/class/net/lo/operstate: is a directory, not a file'] });
  const without = await outcomeOf(interfacesCollector, fakeContext(fixtureRoot(t, {})));
  t.equal(without.outcome?.status, 'partial', 'no /sys: the names the system knows, still');
  t.match((without.files[0]?.content as { json: unknown }).json, [{ name: 'eth0', mtu: null, addresses: ['10.0.0.4/24'] }, { name: 'lo' }]);
});

t.test('routes: /proc/net/route and /proc/net/ipv6_route as ip route would write them', async (t) => {
  t.same(parseIpv4Routes(PROC_NET_ROUTE, true), ['default via 10.0.0.1 dev eth0 metric 100', '10.0.0.0/24 dev eth0 metric 100', '192.168.0.4 dev eth0 mtu 1400']);
  t.same(parseIpv4Routes('Iface\tDestination\nbroken line\n', true), ['unparsed: broken line']);
  t.same(parseIpv6Routes(PROC_NET_IPV6_ROUTE), ['fd00::/64 dev eth0 metric 256', 'default via fd00::1 dev eth0 metric 1024']);
  const both = await outcomeOf(routesCollector, fakeContext(fixtureRoot(t, { 'proc/net/route': PROC_NET_ROUTE, 'proc/net/ipv6_route': PROC_NET_IPV6_ROUTE })));
  t.equal(both.outcome?.status, 'ok');
  t.match((both.files[0]?.content as { text: string }).text, /^# IPv4 \(\/proc\/net\/route\)\ndefault via 10\.0\.0\.1 dev eth0 metric 100\n[^]*# IPv6 \(\/proc\/net\/ipv6_route\)\nfd00::\/64 dev eth0/);
  const noIpv6 = await outcomeOf(routesCollector, fakeContext(fixtureRoot(t, { 'proc/net/route': PROC_NET_ROUTE })));
  t.match(noIpv6.outcome, { status: 'partial', problems: ['/proc/net/ipv6_route: not there (ENOENT)'] }, 'a kernel without IPv6: the IPv4 routes are kept');
  t.match((noIpv6.files[0]?.content as { text: string }).text, /default via 10\.0\.0\.1[^]*not read: \/proc\/net\/ipv6_route: not there/);
  const none = await outcomeOf(routesCollector, fakeContext(fixtureRoot(t, { 'proc/net/route': { fifo: true } })));
  t.match(none.outcome, { status: 'failed', files: [], problems: [/^\/proc\/net\/route: not a regular file.*; \/proc\/net\/ipv6_route: not there/] });
});

function withHttpDates(report: CheckReport, samples: ReadonlyArray<[string, number]>): CheckReport {
  const targets = report.targets.map((target, index): CheckedTarget => {
    const sample = samples[index];
    if (sample === undefined) return target;
    const [url, offsetMs] = sample;
    const details = { url, address: null, proxy: null, status: 401, headers: { server: null, via: null, contentType: null, location: null, date: 'Fri, 02 Jan 2026 03:04:05 GMT' }, clockOffsetMs: offsetMs, bytesRead: 0, bodyComplete: true };
    return { ...target, phases: { ...target.phases, http: { ok: true, phase: 'http', durationMs: 1, details } } as unknown as CheckedTarget['phases'] };
  });
  return { ...report, targets };
}

t.test('clock: the median offset of the HTTPS answers, judged against the 5-minute tolerance of Azure AD', async (t) => {
  const skewed = clockOffset(
    withHttpDates(sampleLike(), [
      ['https://a/', 361_000],
      ['https://b/', 359_000],
      ['http://c/', 0],
    ]),
  );
  t.match(skewed, { offsetMs: 360_000, basis: 'https', skewed: true, samples: [{ offsetMs: 361_000 }, { offsetMs: 359_000 }, { offsetMs: 0 }] });
  t.match(skewed.verdict, /^SKEWED: this machine's clock is 6 min 0 s behind the servers' \(the median of 2 HTTPS answer\(s\)\); Azure AD refuses tokens past 5 minutes/);
  t.match(clockOffset(withHttpDates(sampleLike(), [['http://c/', -1000]])), { offsetMs: -1000, basis: 'http', skewed: false, verdict: /^within Azure AD's 5-minute tolerance: this machine's clock is in step with/ });
  t.match(clockOffset(withHttpDates(sampleLike(), [['https://a/', -90_000]])).verdict, /clock is 90 s ahead of the servers'/);
  t.match(clockOffset(sampleLike()), { offsetMs: null, skewed: null, verdict: /no answer carried a Date header/ });
  t.equal(only(await clockCollector.collect(fakeContext('/'))).name, 'environment/clock.json');
});

function sampleLike(): CheckReport {
  return fakeContext('/').report;
}

t.test('proxy: every spelling of the variables, the flag and what the run used', async (t) => {
  const env = { HTTPS_PROXY: 'http://u:p@proxy:3128', no_proxy: 'localhost', PATH: '/bin' };
  t.same(
    only(await proxyCollector.collect(fakeContext('/', { env, proxyFlag: 'http://proxy:3128' }))).json,
    {
      variables: { HTTPS_PROXY: 'http://u:p@proxy:3128', no_proxy: 'localhost' },
      flag: 'http://proxy:3128',
      used: null,
      source: null,
    },
    'collected as they are: the bundle redacts every file on its way in',
  );
});

t.test('catalog: shipped and user files under names of their own, safe whatever the user called them', async (t) => {
  const { files } = await catalogCollector.collect(
    fakeContext('/', {
      catalogSources: [
        { file: 'probes/ports.yaml', text: 'a', builtin: true },
        { file: '../my dir/évil name?.yaml', text: 'b', builtin: false },
        { file: '-', text: 'c', builtin: false },
      ],
    }),
  );
  t.same(
    files.map((f) => f.name),
    ['catalog/builtin/ports.yaml', 'catalog/user/1-_vil_name_.yaml', 'catalog/user/2--', 'catalog/index.json'],
  );
});

t.test('each collector runs on its own: a failure or a skip is recorded, the others still collect', async (t) => {
  const boom: Collector = {
    name: 'boom',
    describes: '',
    collect: () => {
      throw new Error('it broke\nsecond line not kept');
    },
  };
  const skip: Collector = {
    name: 'skip',
    describes: '',
    collect: () => {
      throw new CollectorSkipped('not here');
    },
  };
  const fine: Collector = { name: 'fine', describes: '', collect: async () => ({ files: [{ name: 'fine.txt', content: { text: 'ok' } }] }) };
  const { files, outcomes } = await runCollectors([boom, skip, fine], fakeContext('/'));
  t.same(
    files.map((f) => f.name),
    ['fine.txt'],
  );
  t.same(outcomes, [
    { collector: 'boom', status: 'failed', files: [], problems: ['it broke'] },
    { collector: 'skip', status: 'skipped', files: [], problems: ['not here'] },
    { collector: 'fine', status: 'ok', files: ['fine.txt'], problems: [] },
  ]);
});
