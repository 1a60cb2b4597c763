import { CHECK_RENDERERS } from '../../render/check/registry.js';
import { expandCatalog } from '../../catalog/expand.js';
import { loadCatalog } from '../../catalog/load.js';
import { defaultFacts } from '../../facts/facts.js';
import { createLogger } from '../../io/log.js';
import { NO_PROXY_CONFIG } from '../../runner/proxy.js';
import { startSimulatedAzure, type DnsBehavior, type SimulatedAzure, type EndpointBehavior, type SimulatedHost, type UdpBehavior } from '../../simulate/azure.js';
import { CLOUD_NAMES, type Cloud } from '../../model/clouds.js';
import type { Invocation } from '../shared/spec.js';
import type { DemoOptions } from './spec.js';
import type { Target } from '../../model/target.js';
import { emitReport, executeCheck } from '../shared/execute-check.js';
import { prepareOutput } from '../shared/emit.js';
import { hasManagedNetwork, type ManagedNetworkMode, type WorkspaceFacts } from '../../model/facts.js';

/** A region of each cloud for the demo workspace. */
const DEMO_REGION: Record<Cloud, string> = { public: 'westus2', usgov: 'usgovvirginia', china: 'chinaeast2' };

/** The workspace the demo pretends to check. */
function demoFacts(cloud: Cloud, managedNetwork: ManagedNetworkMode | undefined): WorkspaceFacts {
  return {
    ...defaultFacts(),
    ...(managedNetwork === undefined ? {} : { managedNetwork }),
    cloud,
    region: DEMO_REGION[cloud],
    workspaceId: '0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11',
    workspaceName: 'demo-ws',
    storageAccount: 'demodata',
    computeInstances: ['ci-demo'],
  };
}

/** What the demo breaks on purpose, one of each kind an admin meets in a locked-down VNet. */
const BROKEN: Record<string, { dns?: DnsBehavior; ports?: Record<number, EndpointBehavior>; udpPorts?: Record<number, UdpBehavior> }> = {
  'demodata.file.core.windows.net': { ports: { 445: 'drop' } },
  'demodata.file.core.usgovcloudapi.net': { ports: { 445: 'drop' } },
  'demodata.file.core.chinacloudapi.cn': { ports: { 445: 'drop' } },
  'pypi.org': { ports: { 80: 'deny-470', 443: 'deny-470' } },
  // A transparent Squid in the way: its own deny page, signed X-Squid-Error, not the service's 403.
  'conda.anaconda.org': { ports: { 80: 'deny-squid', 443: 'deny-squid' } },
  'repo.anaconda.com': { ports: { 443: 'tls-intercept' } },
  'graph.windows.net': { ports: { 443: 'tls-reset' } },
  'cloud.r-project.org': { dns: 'nxdomain' },
  // A DNS filter that blocks PyTorch's wheels answers 0.0.0.0: not the service, and no firewall rule fixes it.
  'download.pytorch.org': { dns: 'sinkhole' },
  // A firewall that drops UDP looks like silence: the demo shows the warning that gives.
  'westus2.tundra.azureml.ms': { udpPorts: { 5831: 'silent' } },
  'usgovvirginia.tundra.azureml.us': { udpPorts: { 5831: 'silent' } },
  'chinaeast2.tundra.azureml.cn': { udpPorts: { 5831: 'silent' } },
};

/**
 * Broken too when the demo workspace has a managed network: a storage account that is not the
 * workspace's, which no outbound rule of a managed network in approved-only mode can reach.
 */
const BROKEN_IN_MANAGED_NETWORK: typeof BROKEN = {
  'vscode.blob.core.windows.net': { ports: { 443: 'drop' } },
};

/**
 * Every host gets its own loopback address in a /16 of the demo's (127.0.0.0/8 is all local on
 * Linux). Each demo picks its /16 at random among these, and the next one when an address is
 * taken, so any number of demos (and test suites, which keep below 127.100) run side by side.
 */
const DEMO_BLOCKS = { first: 100, count: 155 } as const;
const DEMO_START_TRIES = 8;

function loopbackAddress(block: number, index: number): string {
  return `127.${block}.${Math.floor((index + 10) / 250)}.${((index + 10) % 250) + 1}`;
}

/** The simulated Azure in the first free /16, starting from a random one. */
async function startInFreeBlock(hostsIn: (block: number) => SimulatedHost[], portMap: Record<string, number>): Promise<{ azure: SimulatedAzure; block: number }> {
  const start = Math.floor(Math.random() * DEMO_BLOCKS.count);
  for (let attempt = 0; ; attempt++) {
    const block = DEMO_BLOCKS.first + ((start + attempt) % DEMO_BLOCKS.count);
    try {
      return { azure: await startSimulatedAzure({ dns: { address: `127.${block}.0.1`, port: 0 }, hosts: hostsIn(block), portMap }), block };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt + 1 >= DEMO_START_TRIES) throw error;
    }
  }
}

/** Unprivileged ports for the catalog's ports, so the demo needs no root. */
function demoPort(port: number): number {
  return port < 10000 ? 20000 + port : port + 10000;
}

function simulatedHosts(targets: readonly Target[], block: number, broken: typeof BROKEN): SimulatedHost[] {
  const byHost = new Map<string, { tcp: number[]; udp: number[] }>();
  for (const target of targets) {
    if (target.skipped || target.direction !== 'outbound') continue;
    const ports = byHost.get(target.host) ?? { tcp: [], udp: [] };
    (target.protocol === 'udp' ? ports.udp : ports.tcp).push(target.port);
    byHost.set(target.host, ports);
  }
  return [...byHost.entries()].map(([name, ports], index) => {
    const fault = broken[name];
    return {
      name,
      address: loopbackAddress(block, index),
      dns: fault?.dns ?? 'ok',
      ports: Object.fromEntries(ports.tcp.map((port) => [String(port), fault?.ports?.[port] ?? 'ok'])),
      udpPorts: Object.fromEntries(ports.udp.map((port) => [String(port), fault?.udpPorts?.[port] ?? 'ok'])),
    };
  });
}

/**
 * `demo`: starts a simulated Azure on loopback (its own DNS server and endpoints, a few
 * broken on purpose) and runs the real checks against it. Needs no root and sends
 * nothing beyond the loopback /16 it picks (127.100.0.0 to 127.254.255.255).
 */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as DemoOptions;
  const { write } = context;
  const files = prepareOutput(options.out, CHECK_RENDERERS, []);
  const catalog = loadCatalog({ revision: options.revision });
  const facts = demoFacts(options.cloud ?? 'public', options.managedNetwork);
  const targets = expandCatalog(catalog, facts);
  const portMap = Object.fromEntries([...new Set(targets.map((t) => t.port))].map((p) => [String(p), demoPort(p)]));
  const faults = hasManagedNetwork(facts.managedNetwork) ? { ...BROKEN, ...BROKEN_IN_MANAGED_NETWORK } : BROKEN;
  const { azure, block } = await startInFreeBlock((b) => simulatedHosts(targets, b, faults), portMap);
  const broken = Object.keys(faults).filter((name) => targets.some((target) => target.host === name && !target.skipped && target.direction === 'outbound'));
  try {
    if (options.output === 'table') {
      write(`Demo: a simulated Azure on 127.${block}.0.0/16 with its own DNS server; nothing leaves this machine.\n`);
      write(`Checking against revision ${catalog.revision?.id ?? '(none)'} of the article, ${CLOUD_NAMES[facts.cloud]}.\n`);
      write(`Broken on purpose: ${broken.join(', ')}.\n`);
      if (hasManagedNetwork(facts.managedNetwork)) write(`The workspace has a managed virtual network (${facts.managedNetwork}): each fix names its outbound rule, or says Azure adds it or it cannot be one.\n`);
      write('\n');
    }
    return await executeCheck(
      {
        catalog,
        facts,
        targets,
        version: context.version,
        progress: context.stderrIsTTY ? context.stderr : null,
        options: {
          // Client and servers share this one process: leave room for a busy machine.
          concurrency: 16,
          timeoutMs: 3000,
          retries: 0,
          deadlineMs: 30_000,
          dnsServers: [azure.dnsServer],
          // The simulated services live on the demo's loopback /16, answered by the simulated DNS server there.
          allowLoopbackAnswers: true,
          ca: [azure.caPem],
          // The simulated Azure's root plays the public roots' part; the inspecting CA does not.
          publicRoots: [azure.caPem],
          proxy: NO_PROXY_CONFIG,
          inboundFromHere: false,
          logger: createLogger('warn', undefined),
          dialPort: demoPort,
          showCatalogPorts: true,
        },
      },
      (report) => emitReport(report, options.output, files, context),
    );
  } finally {
    await azure.close();
  }
}
