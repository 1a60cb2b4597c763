import { pino } from 'pino';
import type { RunOptions } from '../../src/runner/runner.js';
import { NO_PROXY_CONFIG } from '../../src/runner/proxy.js';

/**
 * What a runner test runs with: its own resolvers and services on loopback (so loopback answers
 * are the services'), its CA trusted, no proxy, no log output, one try with short budgets.
 */
export function loopbackRunOptions(dnsServers: RunOptions['dnsServers'], ca: string, overrides: Partial<RunOptions> = {}): RunOptions {
  return {
    concurrency: 8,
    timeoutMs: 400,
    retries: 0,
    deadlineMs: 10_000,
    dnsServers,
    allowLoopbackAnswers: true,
    ca: [ca],
    proxy: NO_PROXY_CONFIG,
    inboundFromHere: false,
    logger: pino({ level: 'silent' }),
    ...overrides,
  };
}
