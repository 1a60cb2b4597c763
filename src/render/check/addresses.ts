import { formatDuration } from '../../model/duration.js';
import { formatEndpoint } from '../../model/hosts.js';
import type { CheckedTarget } from '../../model/result.js';

/**
 * Each address a name resolved to, with what dialling it gave, on one line:
 * `addresses: 10.0.0.5:443 connected in 3ms, [fd00::5]:443 tcp-timeout`. A dual-stack name
 * with one dead family is a warning whose detail names only the address that worked; this
 * shows the rest. Null for a target dialled on one address or none, whose detail says it all.
 */
export function addressOutcomes(target: CheckedTarget): string | null {
  const tried = [...target.phases.tcp, ...(target.phases.udp ?? [])];
  if (tried.length < 2) return null;
  const each = tried.map((r) => `${formatEndpoint(r.details.address, r.details.port)} ${r.ok ? `${r.phase === 'udp' ? 'answered' : 'connected'} in ${formatDuration(r.ms)}` : r.reason}`);
  return `addresses: ${each.join(', ')}`;
}
