/**
 * A simulated Azure VNet per test: a network namespace of its own with no default route and
 * no link to the host, every simulated host's address on one local interface, an nftables
 * table standing in for the NSG/firewall, the simulated Azure (test/helpers/serve-azure.mjs) as its
 * DNS server and endpoints, and optionally tinyproxy or Squid as the VNet's egress proxy. The CLI runs
 * inside it exactly as an admin would run it from a jumpbox.
 *
 * Nothing here can reach a real host: the namespace has no route out, and every address the
 * tests use exists only inside it.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportSchemaErrors } from './schema.js';
import { makeAuthority, type Authority } from '../../src/simulate/pki.js';
import type { ReportSummary } from '../../src/report/report.js';
import type { DnsBehavior, EndpointBehavior, SimulatedHost } from '../../src/simulate/azure.js';
import { SIMULATED_ROOT_VARIABLE } from '../../src/runner/trust.js';
import { HANG_LIMIT_MS } from './timing.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/cli.js');
/** Runs the built simulated Azure from a JSON spec (see the script). */
const SERVE = path.join(ROOT, 'test/helpers/serve-azure.mjs');

/** The VNet's resolver: the simulated Azure's DNS server. */
export const DNS_ADDRESS = '10.99.0.53';
/** Where the proxy (tinyproxy or Squid) listens when a test starts it. */
export const PROXY_ADDRESS = '10.99.0.3';
export const PROXY_PORT = 3128;
/** The range the proxy accepts clients from; every VNet address is in it. */
const VNET_RANGE = '10.99.0.0/16';
const NAMESPACE_PREFIX = 'amlnc-';
const NFT_TABLE = 'amlnc';

// ---------------------------------------------------------------------------------------
// Whether this machine can build a VNet at all

export function commandExists(command: string): boolean {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin', ...(process.env['PATH'] ?? '').split(':')].some((dir) => dir !== '' && existsSync(path.join(dir, command)));
}

/** Why VNet tests cannot run here, or null when they can. */
function vnetUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces and nftables need root (run the tests as root, e.g. in the Dockerfile or CI)';
  const missing = ['ip', 'nft'].filter((command) => !commandExists(command));
  if (missing.length > 0) return `${missing.join(' and ')} not installed (iproute2, nftables)`;
  if (!existsSync(path.join(ROOT, 'dist/simulate/azure.js')) || !existsSync(CLI)) return 'dist/ is missing: run `npm run build` first';
  return null;
}

/** The part of a tap test the harness uses. */
export interface VnetTest {
  teardown(fn: () => unknown): void;
  fail(message: string): void;
  plan(count: number, comment?: string): void;
}

/**
 * Skips the test, saying why, when VNets cannot be built here. On CI a skip would hide
 * that the scenarios never ran, so there it fails instead.
 */
export function requireRoot(t: VnetTest, needs: readonly string[] = []): boolean {
  const missing = needs.filter((command) => !commandExists(command));
  const reason = vnetUnavailable() ?? (missing.length > 0 ? `${missing.join(', ')} not installed` : null);
  if (reason === null) return true;
  if (process.env['CI'] === 'true') {
    t.fail(`VNet scenario cannot run on CI: ${reason}`);
    return false;
  }
  t.plan(0, reason);
  return false;
}

// ---------------------------------------------------------------------------------------
// The JSON report, as far as the scenarios read it

export interface ReportTarget {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly probe: 'tcp' | 'http' | 'https' | 'udp';
  readonly features: readonly string[];
  readonly required: boolean;
  readonly verdict: 'reachable' | 'blocked' | 'warning' | 'skipped' | 'unknown';
  readonly reason: string | null;
  readonly phase: string | null;
  readonly detail: string;
  readonly warnings: readonly string[];
  readonly fix: readonly string[];
  readonly via: 'direct' | 'proxy';
  readonly timings: Readonly<Record<string, number>>;
  readonly phases: {
    readonly dns: { readonly ok: boolean; readonly reason?: string; readonly details: Record<string, unknown> } | null;
    readonly tcp: ReadonlyArray<{ readonly ok: boolean; readonly reason?: string; readonly details: Record<string, unknown> }>;
    readonly tls: { readonly ok: boolean; readonly reason?: string; readonly message?: string; readonly details: TlsPhaseDetails } | null;
    readonly http: { readonly ok: boolean; readonly reason?: string; readonly message?: string; readonly details: HttpPhaseDetails } | null;
    readonly udp?: ReadonlyArray<{ readonly ok: boolean; readonly reason?: string; readonly cause?: string | null; readonly details: Record<string, unknown> }>;
  };
}

export interface TlsPhaseDetails {
  readonly protocol?: string | null;
  readonly certificate: { readonly issuer: string; readonly subject: string; readonly subjectAltNames: readonly string[] } | null;
  readonly issuerChain: readonly string[];
  readonly verifyError: string | null;
  readonly trustAnchor?: { readonly subject: string; readonly publicRoot: boolean } | null;
  readonly bytesReceived?: number;
}

export interface HttpPhaseDetails {
  readonly status: number | null;
  readonly headers: { readonly server: string | null; readonly via: string | null };
  readonly bytesRead: number;
  readonly bodyComplete: boolean;
  readonly proxy: string | null;
  /** Through a proxy: the handshake inside its tunnel. */
  readonly tls?: TlsPhaseDetails;
}

export interface ReportFeature {
  readonly id: string;
  readonly status: 'ok' | 'broken' | 'degraded' | 'unknown' | 'not-checked';
  readonly blockedBy: readonly string[];
  readonly targets: number;
}

export interface Report {
  readonly durationMs: number;
  readonly settings: { readonly proxy: string | null; readonly proxySource: string | null; readonly deadlineMs: number | null };
  readonly targets: readonly ReportTarget[];
  readonly features: readonly ReportFeature[];
  readonly summary: ReportSummary;
}

// ---------------------------------------------------------------------------------------
// Running commands

/** Runs a setup command; a failure names the command and what it printed. */
function run(command: string, args: readonly string[], input?: string): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: HANG_LIMIT_MS, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
      else resolve({ stdout });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Asks a child to stop, then insists: a test must never leave a process behind. */
async function stop(child: ChildProcess, how: 'stdin' | 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  if (how === 'stdin') child.stdin?.end();
  else child.kill('SIGTERM');
  const gone = await Promise.race([exited(child).then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 3000).unref())]);
  if (!gone) {
    child.kill('SIGKILL');
    await exited(child);
  }
}

/**
 * Reads a child's stdout and stderr until a line matches, the child exits, or time runs out.
 * Afterwards the output keeps being drained, so a chatty child never blocks on a full pipe.
 */
function waitForLine(child: ChildProcess, what: string, matches: (line: string) => boolean, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const partial = { stdout: '', stderr: '' };
    const reader = (stream: 'stdout' | 'stderr') => (chunk: string) => {
      output += chunk;
      const lines = (partial[stream] + chunk).split('\n');
      partial[stream] = lines.pop() ?? '';
      const line = lines.find(matches);
      if (line !== undefined) finish(() => resolve(line));
    };
    const onStdout = reader('stdout');
    const onStderr = reader('stderr');
    const onExit = (code: number | null): void => finish(() => reject(new Error(`${what} exited (${code}) before it was ready:\n${output.slice(-2000)}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`${what} was not ready within ${timeoutMs} ms:\n${output.slice(-2000)}`))), timeoutMs);
    function finish(settle: () => void): void {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onStdout).resume();
      child.stderr?.off('data', onStderr).resume();
      settle();
    }
    child.stdout?.setEncoding('utf8').on('data', onStdout);
    child.stderr?.setEncoding('utf8').on('data', onStderr);
    child.once('exit', onExit);
  });
}

// ---------------------------------------------------------------------------------------
// Namespaces: unique names, and nothing left behind even when a test process dies

let vnetCount = 0;
const liveNamespaces = new Set<string>();
const liveChildren = new Set<ChildProcess>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces an earlier test process created and could not delete (it was killed mid-test). */
function sweepStaleNamespaces(): void {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return;
  }
  for (const name of names) {
    const owner = /^amlnc-(\d+)-\d+$/.exec(name)?.[1];
    if (owner === undefined || Number(owner) === process.pid || processAlive(Number(owner))) continue;
    try {
      // Its proxy (tinyproxy, or Squid and its helpers) outlives the test process that started it; the simulator stops on its own.
      const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
        .split('\n')
        .filter((pid) => /^\d+$/.test(pid));
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    } catch {
      // Someone else swept it first.
    }
  }
}

let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Teardowns are the normal path; this is for a test process that is torn down itself.
  process.once('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
    for (const name of liveNamespaces) {
      try {
        execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
      rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
    }
  });
}

function track(child: ChildProcess): ChildProcess {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  return child;
}

// ---------------------------------------------------------------------------------------
// The VNet

export interface VnetSpec {
  readonly hosts: readonly SimulatedHost[];
  /** Addresses in the VNet where nothing listens: a resolver or proxy that is down. */
  readonly idleAddresses?: readonly string[];
  /** Added by the simulated servers to each DNS answer and new connection (kernels without netem). */
  readonly latencyMs?: number;
}

/**
 * An NSG-like rule: `drop` loses the packets silently, `reset` answers with a TCP RST,
 * `reject` with ICMP port unreachable and `prohibit` with ICMP administratively prohibited.
 */
export interface FirewallRule {
  readonly address: string;
  readonly port: number;
  readonly protocol?: 'tcp' | 'udp';
  readonly action: 'drop' | 'reset' | 'reject' | 'prohibit';
}

const FIREWALL_VERDICTS: Record<FirewallRule['action'], string> = {
  drop: 'drop',
  reset: 'reject with tcp reset',
  // icmpx: the inet table's family-neutral ICMP types, right for IPv4 and IPv6 alike.
  reject: 'reject with icmpx port-unreachable',
  prohibit: 'reject with icmpx admin-prohibited',
};

export interface CheckOptions {
  /** --dns-server; the VNet's resolver unless given, none when null. */
  readonly dnsServer?: string | null;
  /** Added to the environment (proxy variables and NODE_EXTRA_CA_CERTS are otherwise cleared). */
  readonly env?: Readonly<Record<string, string>>;
  /** Hard limit; the CLI is killed and the test fails past it. */
  readonly timeoutMs?: number;
  /** `bundle` takes every flag of `check`. */
  readonly command?: 'check' | 'bundle';
  readonly cwd?: string;
}

export interface CheckRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  /** The parsed report when stdout is JSON. */
  readonly json?: Report;
}

export interface RunningCheck {
  /** The CLI's own process: `ip netns exec` execs it, so signals reach node directly. */
  readonly child: ChildProcess;
  /** The first line the CLI writes to stderr that matches, including lines already written. */
  stderrLine(matches: RegExp, timeoutMs?: number): Promise<string>;
  readonly result: Promise<CheckRun>;
}

export interface ProxyOptions {
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

export interface SquidOptions extends ProxyOptions {
  /** Names whose CONNECT Squid refuses (403, ERR_ACCESS_DENIED). */
  readonly denyConnect?: readonly string[];
  /** Names whose TLS Squid bumps, re-signing with its own CA; every other name is spliced. */
  readonly bump?: readonly string[];
  /** Bumped names whose requests Squid denies inside the tunnel, with its error page over the re-signed TLS. */
  readonly denyInsideTunnel?: readonly string[];
}

export interface SquidProxy {
  readonly url: string;
  readonly urlWithCredentials: string | null;
  /** Squid's CA, PEM, when it bumps: for --ca-file. */
  readonly caFile: string | null;
  /** Its subject as reports write issuers. */
  readonly caSubject: string | null;
}

/** The CA a bumping Squid re-signs with, made per run. */
const SQUID_CA_NAME = 'Contoso Squid Inspection CA';
const SQUID_CA_ORGANIZATION = 'Contoso Proxy';

/** A CA with its key, for the Squid that bumps TLS to sign with. */
function createSigningAuthority(commonName: string, organization: string): Authority & { readonly key: string } {
  const { authority, keys } = makeAuthority(commonName, organization);
  return { ...authority, key: keys.pem };
}
const SQUID_HOSTNAME = 'squid.vnet.test';
/** Debian's squid-openssl puts its helpers here. */
const SQUID_HELPERS = '/usr/lib/squid';
const SQUID_CERTGEN = `${SQUID_HELPERS}/security_file_certgen`;

function proxyUrls(auth: ProxyOptions['basicAuth']): { url: string; urlWithCredentials: string | null } {
  const url = `http://${PROXY_ADDRESS}:${PROXY_PORT}`;
  const urlWithCredentials = auth ? `http://${encodeURIComponent(auth.username)}:${encodeURIComponent(auth.password)}@${PROXY_ADDRESS}:${PROXY_PORT}` : null;
  return { url, urlWithCredentials };
}

/**
 * Budget of each phase in the scenarios. Short, so a dropped packet costs little, but not
 * so short that a healthy TLS handshake on a busy two-core CI machine runs out of it.
 */
export const PHASE_TIMEOUT_MS = 2000;

/** Defaults that keep each scenario fast; a test's own flags come later and win. */
// The scenarios lay out their simulated hosts for the 2021-11 target set, which the reports
// recorded from them (test/fixtures/reports) follow too; the demo's simulated Azure and
// test/cli/list-revisions.test.ts cover the newer revisions.
const FAST = ['--timeout', `${PHASE_TIMEOUT_MS}ms`, '--retries', '0', '--deadline', '15s', '--no-progress', '--revision', '2021-11', '-o', 'json'];

/**
 * Variables that would send the CLI to a proxy the test did not set up, or make it trust CAs the
 * test did not choose (a developer's NODE_EXTRA_CA_CERTS naming the system bundle would make a
 * CA in the VNet's machine store one the user named).
 */
const FOREIGN_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy', 'NODE_EXTRA_CA_CERTS'];

export class Vnet {
  /** The CA the healthy simulated endpoints chain to, for --ca-file. */
  readonly caFile: string;
  #proxy: ChildProcess | null = null;
  #proxyUid: number | null = null;
  readonly #servers: ChildProcess[] = [];

  private constructor(
    readonly namespace: string,
    readonly spec: VnetSpec,
    readonly dir: string,
    readonly interfaceName: string,
    private readonly simulator: ChildProcess,
  ) {
    this.caFile = path.join(dir, 'ca.pem');
  }

  /** Builds the namespace, starts the simulated Azure in it, and registers the cleanup. */
  static async start(t: VnetTest, spec: VnetSpec): Promise<Vnet> {
    installExitHook();
    if (vnetCount === 0) sweepStaleNamespaces();
    const namespace = `${NAMESPACE_PREFIX}${process.pid}-${++vnetCount}`;
    const dir = await mkdtemp(path.join(tmpdir(), `${namespace}-`));
    liveNamespaces.add(namespace);
    let vnet: Vnet | null = null;
    const children: ChildProcess[] = [];
    t.teardown(async () => {
      if (vnet !== null) await vnet.close();
      else for (const child of children) await stop(child, 'SIGTERM');
      await deleteNamespace(namespace);
      await rm(dir, { recursive: true, force: true });
    });

    await run('ip', ['netns', 'add', namespace]);
    await run('ip', ['-n', namespace, 'link', 'set', 'lo', 'up']);
    const interfaceName = await addHostInterface(namespace);
    const addresses = new Set([DNS_ADDRESS, ...spec.hosts.map((h) => h.address), ...(spec.idleAddresses ?? [])]);
    // IPv6 (ULA only) for dual-stack hosts: enabled in the namespace whatever the host's default,
    // and `nodad` so an address serves at once instead of after duplicate address detection.
    if ([...addresses].some(isIPv6)) await run('ip', ['netns', 'exec', namespace, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=0', 'net.ipv6.conf.default.disable_ipv6=0', 'net.ipv6.conf.lo.disable_ipv6=0']);
    // One batch: a benchmark VNet has hundreds of addresses.
    await run('ip', ['-n', namespace, '-batch', '-'], [...addresses].map((address) => `addr add ${address}/${isIPv6(address) ? '128' : '32'} dev ${interfaceName}${isIPv6(address) ? ' nodad' : ''}\n`).join(''));
    const routes = await run('ip', ['-n', namespace, 'route', 'show', 'default']);
    if (routes.stdout.trim() !== '') throw new Error(`namespace ${namespace} has a default route: ${routes.stdout}`);
    // Local traffic crosses OUTPUT on the way out and INPUT on the way in: INPUT drops look
    // like a firewall on the path (the SYN vanishes), where an OUTPUT drop fails at once with EPERM.
    await nft(
      namespace,
      `
      table inet ${NFT_TABLE} {
        chain input { type filter hook input priority 0; policy accept; }
        chain output { type filter hook output priority 0; policy accept; }
      }`,
    );

    const specFile = path.join(dir, 'azure.json');
    await writeFile(specFile, JSON.stringify({ dns: { address: DNS_ADDRESS, port: 53 }, hosts: spec.hosts, ...(spec.latencyMs === undefined ? {} : { latencyMs: spec.latencyMs }) }));
    const simulator = track(spawn('ip', ['netns', 'exec', namespace, process.execPath, SERVE, specFile], { stdio: ['pipe', 'pipe', 'pipe'] }));
    children.push(simulator);
    const readyLine = await waitForLine(simulator, 'the simulated Azure', (line) => line.startsWith('{"ready":true'), HANG_LIMIT_MS);
    const ready = JSON.parse(readyLine) as { caPem: string };
    vnet = new Vnet(namespace, spec, dir, interfaceName, simulator);
    await writeFile(vnet.caFile, ready.caPem);
    return vnet;
  }

  get dnsServer(): string {
    return DNS_ADDRESS;
  }

  /**
   * A path-MTU black hole in front of one server: its packets longer than `bytes` are dropped
   * with no ICMP error, as on a VPN or ExpressRoute tunnel whose path-MTU discovery is broken.
   * nft sees a segmentation-offloaded packet whole, so a flight the server wrote at once is
   * dropped as the big packet it leaves as; small ones (SYN-ACK, ACKs) pass.
   */
  async blackHole(address: string, port: number, bytes: number): Promise<void> {
    await nft(this.namespace, `add rule inet ${NFT_TABLE} input ip saddr ${address} tcp sport ${port} meta length > ${bytes} drop`);
  }

  /** Adds firewall rules on the path into the simulated hosts. */
  async firewall(...rules: readonly FirewallRule[]): Promise<void> {
    const lines = rules.map((rule) => {
      const protocol = rule.protocol ?? 'tcp';
      if (rule.action === 'reset' && protocol !== 'tcp') throw new TypeError('a TCP reset needs a TCP rule');
      return `add rule inet ${NFT_TABLE} input ${isIPv6(rule.address) ? 'ip6' : 'ip'} daddr ${rule.address} ${protocol} dport ${rule.port} ${FIREWALL_VERDICTS[rule.action]}`;
    });
    await nft(this.namespace, lines.join('\n'));
  }

  /**
   * Starts tinyproxy in the VNet, as its own unprivileged user so that egress rules can tell
   * its connections from the CLI's. It resolves names through the VNet's DNS server.
   */
  async startProxy(options: ProxyOptions = {}): Promise<{ url: string; urlWithCredentials: string | null }> {
    const { uid, gid } = await this.#proxyAccount();
    const config = path.join(this.dir, 'tinyproxy.conf');
    const auth = options.basicAuth;
    await writeFile(
      config,
      [`User ${uid}`, `Group ${gid}`, `Port ${PROXY_PORT}`, `Listen ${PROXY_ADDRESS}`, 'Timeout 10', 'MaxClients 64', `Allow ${VNET_RANGE}`, 'ConnectPort 443', 'LogLevel Info', ...(auth ? [`BasicAuth ${auth.username} ${auth.password}`] : []), ''].join('\n'),
    );
    const proxy = track(spawn('ip', ['netns', 'exec', this.namespace, 'tinyproxy', '-d', '-c', config], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.#proxy = proxy;
    await waitForLine(proxy, 'tinyproxy', (line) => line.includes('Accepting connections'), HANG_LIMIT_MS);
    return proxyUrls(auth);
  }

  /**
   * Starts Squid in the VNet, in the foreground as 'nobody' like tinyproxy, with everything it
   * writes (config, logs, pid, the certificate database) in the test's directory. Its upstream
   * TLS trusts the simulated Azure's CA, so a bumped name is re-signed by Squid's own CA, made
   * for this run, and a spliced one shows the service's own certificate.
   */
  async startSquid(options: SquidOptions = {}): Promise<SquidProxy> {
    const { uid, gid } = await this.#proxyAccount();
    const dir = path.join(this.dir, 'squid');
    await mkdir(dir);
    // 'nobody' must reach its own directory inside the test's private one.
    await chmod(this.dir, 0o711);
    const auth = options.basicAuth;
    const bump = options.bump ?? [];
    const deniedInside = options.denyInsideTunnel ?? [];
    if (deniedInside.some((name) => !bump.includes(name))) throw new Error('Squid can only deny a request inside a tunnel it bumps');
    const ca = bump.length > 0 ? createSigningAuthority(SQUID_CA_NAME, SQUID_CA_ORGANIZATION) : null;
    const caFile = path.join(dir, 'squid-ca.pem');
    const keyFile = path.join(dir, 'squid-ca.key');
    const certDb = path.join(dir, 'ssl_db');
    if (ca !== null) {
      await writeFile(caFile, ca.cert);
      await writeFile(keyFile, ca.key, { mode: 0o600 });
      // The helper's database must exist before Squid starts it; -c refuses an existing one.
      await run(SQUID_CERTGEN, ['-c', '-s', certDb, '-M', '4MB']);
    }
    if (auth) {
      const hash = (await run('openssl', ['passwd', '-apr1', '-stdin'], `${auth.password}\n`)).stdout.trim();
      await writeFile(path.join(dir, 'htpasswd'), `${auth.username}:${hash}\n`);
    }
    const list = (names: readonly string[]): string => names.join(' ');
    await writeFile(
      path.join(dir, 'squid.conf'),
      [
        `http_port ${PROXY_ADDRESS}:${PROXY_PORT}${ca === null ? '' : ` ssl-bump tls-cert=${caFile} tls-key=${keyFile} generate-host-certificates=on dynamic_cert_mem_cache_size=4MB`}`,
        `visible_hostname ${SQUID_HOSTNAME}`,
        `cache_effective_user nobody`,
        `pid_filename ${dir}/squid.pid`,
        `cache_log ${dir}/cache.log`,
        `access_log stdio:${dir}/access.log`,
        `coredump_dir ${dir}`,
        'cache deny all',
        'cache_mem 8 MB',
        'netdb_filename none',
        'pinger_enable off',
        'logfile_rotate 0',
        // SIGTERM stops it at once instead of after the default 30 s of draining.
        'shutdown_lifetime 0 seconds',
        `dns_nameservers ${DNS_ADDRESS}`,
        `tls_outgoing_options cafile=${this.caFile}`,
        `acl vnet src ${VNET_RANGE}`,
        'acl SSL_ports port 443',
        'acl CONNECT method CONNECT',
        'http_access deny CONNECT !SSL_ports',
        ...(auth ? [`auth_param basic program ${SQUID_HELPERS}/basic_ncsa_auth ${dir}/htpasswd`, 'auth_param basic children 2 startup=1 idle=1', 'auth_param basic realm aml-netcheck test proxy', 'acl authenticated proxy_auth REQUIRED', 'http_access deny !authenticated'] : []),
        ...(options.denyConnect?.length ? [`acl denied_tunnels dstdomain ${list(options.denyConnect)}`, 'http_access deny CONNECT denied_tunnels'] : []),
        // Only the requests inside the tunnel: the CONNECT itself is allowed, so the denial arrives over bumped TLS.
        ...(deniedInside.length > 0 ? [`acl denied_inside dstdomain ${list(deniedInside)}`, 'http_access deny !CONNECT denied_inside'] : []),
        'http_access allow vnet',
        'http_access deny all',
        ...(ca === null ? [] : [`sslcrtd_program ${SQUID_CERTGEN} -s ${certDb} -M 4MB`, 'sslcrtd_children 2 startup=1 idle=1', 'acl step1 at_step SslBump1', `acl bumped ssl::server_name ${list(bump)}`, 'ssl_bump peek step1', 'ssl_bump bump bumped', 'ssl_bump splice all']),
        '',
      ].join('\n'),
    );
    await run('chown', ['-R', `${uid}:${gid}`, dir]);
    const squid = track(spawn('ip', ['netns', 'exec', this.namespace, 'squid', '-N', '-d', '1', '-f', path.join(dir, 'squid.conf')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.#proxy = squid;
    await waitForLine(squid, 'squid', (line) => /Accepting .*HTTP Socket connections at/.test(line), HANG_LIMIT_MS);
    return { ...proxyUrls(auth), caFile: ca === null ? null : caFile, caSubject: ca === null ? null : `CN=${SQUID_CA_NAME}, O=${SQUID_CA_ORGANIZATION}` };
  }

  /** The unprivileged account a proxy runs as, and its address and resolver in the VNet. */
  async #proxyAccount(): Promise<{ uid: number; gid: number }> {
    if (this.#proxy !== null) throw new Error('the VNet already has a proxy');
    const uid = Number((await run('id', ['-u', 'nobody'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'nobody'])).stdout.trim());
    if (!Number.isInteger(uid) || uid === 0) throw new Error(`no unprivileged 'nobody' user to run the proxy as (uid ${uid})`);
    this.#proxyUid = uid;
    await run('ip', ['-n', this.namespace, 'addr', 'add', `${PROXY_ADDRESS}/32`, 'dev', this.interfaceName]);
    // `ip netns exec` mounts /etc/netns/NAME/resolv.conf over /etc/resolv.conf for what it runs.
    await mkdir(`/etc/netns/${this.namespace}`, { recursive: true });
    await writeFile(`/etc/netns/${this.namespace}/resolv.conf`, `nameserver ${DNS_ADDRESS}\noptions timeout:1 attempts:1\n`);
    return { uid, gid };
  }

  /**
   * Proxy-only egress, as in a VNet whose firewall only lets the proxy out: every direct TCP
   * connection to a simulated host is reset, except the proxy's own (matched by its uid).
   */
  async allowOnlyProxyEgress(): Promise<void> {
    if (this.#proxyUid === null) throw new Error('start the proxy first');
    const addresses = [...new Set(this.spec.hosts.map((h) => h.address))];
    const ports = [...new Set(this.spec.hosts.flatMap((h) => Object.keys(h.ports)))];
    // Matching on the destination port leaves the servers' replies (from those ports) alone.
    await nft(this.namespace, `add rule inet ${NFT_TABLE} output meta skuid != ${this.#proxyUid} ip daddr { ${addresses.join(', ')} } tcp dport { ${ports.join(', ')} } reject with tcp reset`);
  }

  /**
   * Makes `pemFile` this machine's CA store for every later run in the VNet, as an admin who
   * added the corporate CA to the jumpbox has it: `ip netns exec` mounts /etc/netns/NAME/ssl
   * over /etc/ssl, where the CLI reads the system bundle.
   */
  async trustInMachineStore(pemFile: string): Promise<void> {
    const certs = `/etc/netns/${this.namespace}/ssl/certs`;
    await mkdir(certs, { recursive: true });
    await copyFile(pemFile, path.join(certs, 'ca-certificates.crt'));
  }

  /** The environment the CLI runs with in the VNet: none of the developer's proxies or CAs. */
  checkEnvironment(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of FOREIGN_VARIABLES) delete env[name];
    // The simulated Azure's root plays the public roots' part, as in the demo.
    env[SIMULATED_ROOT_VARIABLE] = this.caFile;
    return env;
  }

  /** Starts `aml-netcheck check` in the VNet; for tests that act while it runs. */
  startCheck(args: readonly string[], options: CheckOptions = {}): RunningCheck {
    const dnsServer = options.dnsServer === undefined ? DNS_ADDRESS : options.dnsServer;
    const fullArgs = [options.command ?? 'check', ...FAST, '--ca-file', this.caFile, ...(dnsServer === null ? [] : ['--dns-server', dnsServer]), ...args];
    const env = { ...this.checkEnvironment(), ...options.env };
    const started = Date.now();
    const child = track(spawn('ip', ['netns', 'exec', this.namespace, process.execPath, CLI, ...fullArgs], { env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) }));
    let stdout = '';
    let stderr = '';
    const stderrWaiters: Array<{ matches: RegExp; resolve: (line: string) => void }> = [];
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      for (const waiter of [...stderrWaiters]) {
        const line = stderr.split('\n').find((l) => waiter.matches.test(l));
        if (line !== undefined) {
          stderrWaiters.splice(stderrWaiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
    const limit = options.timeoutMs ?? HANG_LIMIT_MS;
    const result = new Promise<CheckRun>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`aml-netcheck ${fullArgs.join(' ')} did not finish within ${limit} ms; stderr: ${stderr.slice(-1000)}`));
      }, limit);
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        let json: Report | undefined;
        try {
          json = JSON.parse(stdout) as Report;
        } catch {
          json = undefined;
        }
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started, ...(json === undefined ? {} : { json }) });
      });
    });
    const stderrLine = (matches: RegExp, timeoutMs = HANG_LIMIT_MS): Promise<string> =>
      new Promise((resolve, reject) => {
        const line = stderr.split('\n').find((l) => matches.test(l));
        if (line !== undefined) return resolve(line);
        const timer = setTimeout(() => reject(new Error(`no stderr line matching ${matches} within ${timeoutMs} ms: ${stderr.slice(-1000)}`)), timeoutMs);
        stderrWaiters.push({
          matches,
          resolve: (found) => {
            clearTimeout(timer);
            resolve(found);
          },
        });
      });
    return { child, stderrLine, result };
  }

  /**
   * Starts a Node script inside the VNet that serves beside the checks (the simulated Azure
   * serves no UDP): ready once it prints `ready`, stopped by closing its stdin with the VNet.
   */
  async serveNode(script: string, args: readonly string[]): Promise<void> {
    const child = track(spawn('ip', ['netns', 'exec', this.namespace, process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] }));
    this.#servers.push(child);
    await waitForLine(child, path.basename(script), (line) => line === 'ready', HANG_LIMIT_MS);
  }

  /** Runs a Node script inside the VNet, for checks the CLI does not make yet; resolves with its stdout. */
  async runNode(script: string, args: readonly string[]): Promise<string> {
    return (await run('ip', ['netns', 'exec', this.namespace, process.execPath, script, ...args])).stdout;
  }

  /** Runs `aml-netcheck check` in the VNet against its DNS server, with the VNet's CA trusted. */
  check(args: readonly string[], options: CheckOptions = {}): Promise<CheckRun> {
    return this.startCheck(args, options).result;
  }

  async close(): Promise<void> {
    for (const server of this.#servers) await stop(server, 'stdin');
    if (this.#proxy !== null) await stop(this.#proxy, 'SIGTERM');
    await stop(this.simulator, 'stdin');
  }
}

/** A dummy interface where the kernel has one; otherwise `lo`, which is just as closed. */
async function addHostInterface(namespace: string): Promise<string> {
  try {
    await run('ip', ['-n', namespace, 'link', 'add', 'azure0', 'type', 'dummy']);
    await run('ip', ['-n', namespace, 'link', 'set', 'azure0', 'up']);
    return 'azure0';
  } catch {
    // Containers without the dummy module: addresses on lo are local all the same.
    return 'lo';
  }
}

function isIPv6(address: string): boolean {
  return address.includes(':');
}

async function nft(namespace: string, script: string): Promise<void> {
  await run('ip', ['netns', 'exec', namespace, 'nft', '-f', '-'], `${script}\n`);
}

async function deleteNamespace(namespace: string): Promise<void> {
  try {
    // A setup that failed before `ip netns add` leaves nothing to delete.
    if (existsSync(`/run/netns/${namespace}`)) await run('ip', ['netns', 'del', namespace]);
  } finally {
    liveNamespaces.delete(namespace);
    await rm(`/etc/netns/${namespace}`, { recursive: true, force: true });
    // /etc/netns is ours too when nothing else uses it; rmdir leaves it alone when something does.
    await rmdir('/etc/netns').catch(() => undefined);
  }
}

/** Starts a VNet for one test and tears it down with the test. */
export function startVnet(t: VnetTest, spec: VnetSpec): Promise<Vnet> {
  return Vnet.start(t, spec);
}

// ---------------------------------------------------------------------------------------
// Reading a run's report in the scenarios

/** The assertions the report helpers use; a tap test has them all. */
export interface ReportAsserts {
  equal(found: unknown, wanted: unknown, message: string): boolean;
  same(found: unknown, wanted: unknown, message: string): boolean;
  notMatch(found: unknown, pattern: RegExp, message: string): boolean;
  match(found: unknown, pattern: unknown, message: string): boolean;
}

/**
 * The run's JSON report, after checking what every report must satisfy: the exit code the
 * scenario expects (and the same code in the summary), the published schema, no crash.
 */
export function reportOf(t: ReportAsserts, run: CheckRun, exitCode: number): Report {
  t.equal(run.code, exitCode, `exit code ${exitCode}`);
  t.notMatch(run.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace on stderr');
  if (run.json === undefined) throw new Error(`stdout is not a JSON report (exit ${run.code}, signal ${run.signal}):\n${run.stdout.slice(0, 2000)}\nstderr:\n${run.stderr.slice(-2000)}`);
  t.same(reportSchemaErrors(run.json), [], 'the report matches schema/report.schema.json');
  t.equal(run.json.summary.exitCode, exitCode, 'summary.exitCode agrees with the exit code');
  recordReport(t, run.json);
  return run.json;
}

/**
 * With AML_NETCHECK_RECORD_REPORTS=DIR (`npm run record-reports`), each scenario's report is
 * saved there, named after the test; the reporter tests render these recorded reports.
 */
function recordReport(t: ReportAsserts, report: Report): void {
  const dir = process.env.AML_NETCHECK_RECORD_REPORTS;
  if (dir === undefined || dir === '') return;
  // tap's full name is `test/vnet/FILE.test.ts > TAP > parent > child`: keep the file and the innermost test.
  const parts = ((t as { fullname?: string }).fullname ?? 'report').split(' > ');
  const file = path.basename(parts[0] ?? 'report').replace(/\.test\.ts$/, '');
  const name = `${file}-${parts.at(-1) ?? ''}`
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 90);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(report, null, 2)}\n`);
}

/** `verdict reason` per target id: one deep comparison pins every target's outcome and the target set. */
export function outcomes(report: Report): Record<string, string> {
  return Object.fromEntries(report.targets.map((target) => [target.id, `${target.verdict} ${target.reason ?? '-'}`]));
}

/** Each feature's status and the targets that break or degrade it. */
export function featureOutcomes(report: Report): Record<string, { status: string; blockedBy: string[] }> {
  return Object.fromEntries(report.features.map((feature) => [feature.id, { status: feature.status, blockedBy: [...feature.blockedBy].sort() }]));
}

/** `text` as a regular expression matches it, for details that mix fixed text with patterns. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function targetOf(report: Report, id: string): ReportTarget {
  const found = report.targets.find((target) => target.id === id);
  if (found === undefined) throw new Error(`the report has no target ${id}; it has ${report.targets.map((target) => target.id).join(', ')}`);
  return found;
}

// ---------------------------------------------------------------------------------------
// The workspace every scenario checks, and the simulated hosts its targets resolve to.
// Each host has an address of its own, because the simulated servers listen per address.

export const REGION = 'westus2';
export const WORKSPACE_ID = '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11';
export const STORAGE = 'st1';

export const LOGIN = 'login.microsoftonline.com';
export const BLOB = `${STORAGE}.blob.core.windows.net`;
export const FILE = `${STORAGE}.file.core.windows.net`;
export const WORKSPACE_API = `${WORKSPACE_ID}.workspace.${REGION}.api.azureml.ms`;
export const WORKSPACE_CERT = `${WORKSPACE_ID}.workspace.${REGION}.cert.api.azureml.ms`;
export const REGION_API = `${REGION}.api.azureml.ms`;

/** A VNet address for each host; private, as a private endpoint's would be. */
const ADDRESS: Readonly<Record<string, string>> = {
  [LOGIN]: '10.99.1.1',
  [BLOB]: '10.99.1.2',
  [FILE]: '10.99.1.3',
  [WORKSPACE_API]: '10.99.1.4',
  [WORKSPACE_CERT]: '10.99.1.5',
  [REGION_API]: '10.99.1.6',
};

export function addressOf(name: string): string {
  const address = ADDRESS[name];
  if (address === undefined) throw new Error(`no VNet address for ${name}`);
  return address;
}

/** A simulated host at its usual address; `overrides` can move it or change its DNS. */
export function host(name: string, ports: Readonly<Record<string, EndpointBehavior>>, overrides: { address?: string; dns?: DnsBehavior; cname?: string } = {}): SimulatedHost {
  return { name, address: overrides.address ?? addressOf(name), ports, ...(overrides.dns ? { dns: overrides.dns } : {}), ...(overrides.cname ? { cname: overrides.cname } : {}) };
}

/** `--features azure-ad`: login.microsoftonline.com on 80 and 443. */
export const AZURE_AD = ['--region', REGION, '--features', 'azure-ad'];
/** `--features azure-ad,workspace-storage`: adds st1.blob:443, st1.file:443 and st1.file:445. */
export const AD_AND_STORAGE = ['--region', REGION, '--storage-account', STORAGE, '--features', 'azure-ad,workspace-storage'];

/** Every target of AD_AND_STORAGE, served healthily. */
export function healthyAdAndStorage(): SimulatedHost[] {
  return [host(LOGIN, { 80: 'ok', 443: 'ok' }), host(BLOB, { 443: 'ok' }), host(FILE, { 443: 'ok', 445: 'ok' })];
}

export const ID = {
  login80: `${LOGIN}:80`,
  login443: `${LOGIN}:443`,
  blob443: `${BLOB}:443`,
  file443: `${FILE}:443`,
  file445: `${FILE}:445`,
  workspaceApi: `${WORKSPACE_API}:443`,
  workspaceCert: `${WORKSPACE_CERT}:443`,
  regionApi: `${REGION_API}:443`,
} as const;
