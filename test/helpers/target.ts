import type { Target } from '../../src/model/target.js';

/**
 * A target as expansion would make it, for runner tests that feed the runner directly: TCP
 * (its depth from the port, as the glossary gives 443 and 80) unless `udp` is asked for.
 */
export function makeTarget(host: string, port: number, overrides: Partial<Target> = {}, transport: 'tcp' | 'udp' = 'tcp'): Target {
  const udp = transport === 'udp';
  return {
    id: `${host}:${port}${udp ? '/udp' : ''}`,
    host,
    port,
    protocol: udp ? 'udp' : 'tcp',
    probe: udp ? 'udp' : port === 443 ? 'https' : port === 80 ? 'http' : 'tcp',
    direction: 'outbound',
    path: null,
    pattern: host,
    features: [udp ? 'relay' : 'workspace-api'],
    required: true,
    condition: null,
    representative: false,
    privateName: null,
    mustResolvePrivately: false,
    skipped: null,
    purpose: 'test',
    rules: [{ type: 'fqdn', destination: host, protocol: udp ? 'UDP' : 'TCP', port, direction: 'outbound' }],
    sources: [],
    ...overrides,
  };
}
