import type { Target } from '../../src/model/target.js';
import { sampleTarget } from './targets.js';

/**
 * A target as expansion would make it, for runner tests that feed the runner directly: TCP
 * (its depth from the port, as the glossary gives 443 and 80) unless `udp` is asked for.
 */
export function makeTarget(host: string, port: number, overrides: Partial<Target> = {}, transport: 'tcp' | 'udp' = 'tcp'): Target {
  const udp = transport === 'udp';
  return sampleTarget(`${host}:${port}`, {
    id: `${host}:${port}${udp ? '/udp' : ''}`,
    // An IPv6 literal holds colons, so the id alone does not give the host and port back.
    host,
    port,
    pattern: host,
    protocol: udp ? 'udp' : 'tcp',
    probe: udp ? 'udp' : port === 443 ? 'https' : port === 80 ? 'http' : 'tcp',
    features: [udp ? 'relay' : 'workspace-api'],
    purpose: 'test',
    rules: [{ type: 'fqdn', destination: host, protocol: udp ? 'UDP' : 'TCP', port, direction: 'outbound' }],
    ...overrides,
  });
}
