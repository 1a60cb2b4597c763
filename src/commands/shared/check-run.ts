import net from 'node:net';
import type { Logger } from 'pino';
import { expandCatalog } from '../../catalog/expand.js';
import { parseDuration } from '../../model/duration.js';
import { InputError } from '../../model/errors.js';
import { parseHostPort } from '../../model/hosts.js';
import { workspaceApiHost } from '../../model/private-names.js';
import { quote } from '../../model/text.js';
import type { DnsServer } from '../../probers/dns.js';
import { resolveProxyConfig } from '../../runner/proxy.js';
import { loadTrust } from '../../runner/trust.js';
import type { CheckOptions } from './check-options.js';
import type { CheckRun } from './execute-check.js';
import type { CommandContext } from './spec.js';
import { resolveWorkspace } from './workspace.js';
import { optionalAudit } from './audit-run.js';

function parseCount(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < min || value > max) throw new InputError(flag, `${quote(text)} is not a whole number from ${min} to ${max}`);
  return value;
}

function parseDnsServers(specs: readonly string[]): DnsServer[] {
  return specs.map((spec) => {
    const parsed = parseHostPort(spec.trim());
    if (!parsed.ok) throw new InputError('--dns-server', `${quote(spec)}: ${parsed.problem}`);
    if (net.isIP(parsed.host) === 0) throw new InputError('--dns-server', `${quote(spec)} is not an IP address with an optional port, like 10.0.0.4 or 10.0.0.4:53 or [fd00::4]:53`);
    return { address: parsed.host, port: parsed.port ?? 53 };
  });
}

/**
 * Reads and checks every flag of `check` (facts, catalog, timing, proxy, trust), before any
 * probing; `bundle` shares it. `warn` gets each warning line; the logger is made last, so a
 * bad flag fails before a --log-file is touched.
 */
export function checkRunFromOptions(options: CheckOptions, context: Pick<CommandContext, 'version' | 'env' | 'stderr' | 'stderrIsTTY'>, hooks: { warn: (line: string) => void; logger: () => Logger }): CheckRun {
  const { catalog, facts, features, warnings } = resolveWorkspace(options);
  for (const warning of warnings) hooks.warn(`aml-netcheck: warning: ${warning}\n`);
  const timeoutMs = parseDuration(options.timeout, '--timeout');
  const deadlineMs = parseDuration(options.deadline, '--deadline');
  const concurrency = parseCount(options.concurrency, '--concurrency', 1, 1024);
  const retries = parseCount(options.retries, '--retries', 0, 5);
  const dnsServers = parseDnsServers(options.dnsServer ?? []);
  const proxy = resolveProxyConfig(options.proxy, context.env);
  const trust = loadTrust(options.caFile ?? [], context.env);
  const targets = expandCatalog(catalog, facts, { features });
  // Before any probe: a bad export fails the run at once, as a bad flag does.
  const audit = optionalAudit(options, { catalog, facts }, targets, hooks.warn);
  const logger = hooks.logger();
  return {
    catalog,
    facts,
    targets,
    features,
    version: context.version,
    progress: options.progress && context.stderrIsTTY ? context.stderr : null,
    ...(audit === undefined ? {} : { audit }),
    options: {
      concurrency,
      timeoutMs,
      retries,
      deadlineMs,
      dnsServers: dnsServers.length > 0 ? dnsServers : undefined,
      allowLoopbackAnswers: options.allowLoopbackAnswers === true,
      ca: trust.extraCas.length > 0 ? trust.extraCas : undefined,
      proxy,
      workspaceApiHost: workspaceApiHost(facts),
      inboundFromHere: options.inboundFromHere !== undefined,
      publicRoots: trust.publicRoots,
      logger,
    },
  };
}
