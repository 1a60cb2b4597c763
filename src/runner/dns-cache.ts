import { resolveHost } from '../probers/dns.js';
import { traceOf, type CheckSettings, type HostResolver, type Resolved } from './context.js';
import { withRetries, type Slots } from './schedule.js';

/** One resolution per host per run, shared by every target on that host. */
export class DnsCache implements HostResolver {
  readonly #results = new Map<string, Promise<Resolved>>();

  constructor(
    private readonly settings: CheckSettings,
    private readonly signal: AbortSignal,
    private readonly slots: Slots,
  ) {}

  resolve(host: string): Promise<Resolved> {
    let pending = this.#results.get(host);
    if (!pending) {
      const { dnsServers, timeoutMs, retries, allowLoopbackAnswers } = this.settings;
      const context = { servers: dnsServers, allowLoopbackAnswers, timeoutMs, signal: this.signal, trace: traceOf(this.settings, host, 'dns') };
      pending = this.slots.dns(() => withRetries(retries, this.signal, () => resolveHost({ host }, context)));
      this.#results.set(host, pending);
    }
    return pending;
  }
}
