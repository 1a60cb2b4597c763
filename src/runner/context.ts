import type { Logger } from 'pino';
import type { Trace } from '../probers/contract.js';
import type { DnsServer } from '../probers/dns.js';
import type { DnsResult, Phase } from '../model/phases.js';
import type { ProxyConfig } from './proxy.js';
import type { Slots } from './schedule.js';

// The run's settings and shared state, apart from the code that uses them: the DNS cache and the
// target check both read them, and neither may import the other.

/** What checking one target needs from the run. */
export interface CheckSettings {
  /** Budget of each phase of each target. */
  readonly timeoutMs: number;
  /** Extra tries for a phase that timed out, so one lost packet does not fail a target. */
  readonly retries: number;
  readonly dnsServers?: readonly DnsServer[] | undefined;
  /**
   * The run's services are simulated on loopback (the demo; tests through the hidden
   * `--allow-loopback-answers`): see DnsContext.allowLoopbackAnswers. Never set for a real check.
   */
  readonly allowLoopbackAnswers?: boolean | undefined;
  readonly ca?: readonly string[] | undefined;
  readonly proxy: ProxyConfig;
  /**
   * The workspace API's private-link name: a compute instance's private name must resolve to
   * the same private endpoint address. Null when the facts do not give it.
   */
  readonly workspaceApiHost?: string | null | undefined;
  /**
   * Roots that count as public besides the ones Node ships (a simulated Azure's); a handshake
   * whose chain rests on no public root is reported as TLS inspection. Unset: no such check,
   * for runs whose every CA is a test's own.
   */
  readonly publicRoots?: readonly string[] | undefined;
  /**
   * Sees every I/O event of every probe (`--log-level trace` logs them), by the target id, or
   * the host for DNS, which is resolved once for all its targets. A throw here is treated as a
   * bug in that probe, which is how tests prove a bug stays contained to its target.
   */
  readonly trace?: ((subject: string, phase: Phase, event: string) => void | Promise<void>) | undefined;
  /** Where a catalog port is really served; only the demo maps ports (what people read still names the catalog's). */
  readonly dialPort?: ((port: number) => number) | undefined;
  /** The demo's: details and warnings name the catalog's port, not the one dialled (see atCatalogPort). */
  readonly showCatalogPorts?: boolean | undefined;
  readonly logger: Logger;
}

/** A host's resolution, with what it cost: the tries and the time over all of them. */
export interface Resolved {
  readonly result: DnsResult;
  readonly attempts: number;
  readonly ms: number;
}

/** Resolves each host once per run (DnsCache). */
export interface HostResolver {
  resolve(host: string): Promise<Resolved>;
}

/** The run's shared state that every target's check uses. */
export interface CheckContext {
  readonly settings: CheckSettings;
  readonly dnsCache: HostResolver;
  readonly signal: AbortSignal;
  readonly slots: Slots;
}

/** The prober's trace hook for one phase of one subject, when the run has one. */
export function traceOf(settings: CheckSettings, subject: string, phase: Phase): Trace | undefined {
  const trace = settings.trace;
  return trace ? (event) => trace(subject, phase, event) : undefined;
}
