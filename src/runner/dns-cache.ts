import { resolveHost, type DnsServer } from '../probers/dns.js';
import type { DnsResult } from '../model/phases.js';
import { withRetries, type Slots } from './schedule.js';

export interface Resolved {
  readonly result: DnsResult;
  readonly attempts: number;
  readonly ms: number;
}

/** One resolution per host per run, shared by every target on that host. */
export class DnsCache {
  readonly #results = new Map<string, Promise<Resolved>>();

  constructor(
    private readonly settings: { readonly dnsServers?: readonly DnsServer[] | undefined; readonly timeoutMs: number; readonly retries: number },
    private readonly signal: AbortSignal,
    private readonly slots: Slots,
  ) {}

  resolve(host: string): Promise<Resolved> {
    let pending = this.#results.get(host);
    if (!pending) {
      const { dnsServers, timeoutMs, retries } = this.settings;
      pending = this.slots.dns(() => withRetries(retries, this.signal, () => resolveHost(host, { servers: dnsServers, timeoutMs, signal: this.signal })));
      this.#results.set(host, pending);
    }
    return pending;
  }
}
