import type { Collector } from '../contract.js';
import { readSystemFile } from '../read-file.js';

export const resolvConfCollector: Collector = {
  name: 'resolv.conf',
  describes: 'the resolver configuration, /etc/resolv.conf as this process reads it',
  collect: ({ root }) => ({ files: [{ name: 'environment/resolv.conf', content: { text: readSystemFile(root, '/etc/resolv.conf') } }] }),
};

/**
 * The domains a hosts-file name may share with a catalog host and still matter: the host
 * itself, and the zone under its first label while that keeps three labels or more
 * (`st1.privatelink.blob.core.windows.net` touches `st1.blob.core.windows.net`;
 * `example.windows.net` does not).
 */
function touches(hosts: ReadonlySet<string>, zones: readonly string[], name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return hosts.has(lower) || zones.some((zone) => lower.endsWith(`.${zone}`));
}

export function hostsLinesTouching(text: string, catalogHosts: readonly string[]): { lines: string[]; others: number } {
  const hosts = new Set(catalogHosts.map((h) => h.toLowerCase()));
  const zones = [
    ...new Set(
      catalogHosts
        .map((h) => h.toLowerCase().split('.').slice(1))
        .filter((labels) => labels.length >= 3)
        .map((labels) => labels.join('.')),
    ),
  ];
  const lines: string[] = [];
  let others = 0;
  for (const line of text.split(/\r?\n/)) {
    const entry = line.replace(/#.*/, '').trim();
    if (entry === '') continue;
    const names = entry.split(/\s+/).slice(1);
    if (names.some((name) => touches(hosts, zones, name))) lines.push(line.trim());
    else others++;
  }
  return { lines, others };
}

export const hostsCollector: Collector = {
  name: 'hosts',
  describes: 'the lines of /etc/hosts that name a host the catalog checks, or one in its zones',
  collect: ({ root, report }) => {
    const { lines, others } = hostsLinesTouching(
      readSystemFile(root, '/etc/hosts'),
      report.targets.map((t) => t.host),
    );
    const header = `# /etc/hosts: ${lines.length} line(s) naming a catalog host or one in its zones; ${others} other entr${others === 1 ? 'y' : 'ies'} left out.\n`;
    return { files: [{ name: 'environment/hosts.txt', content: { text: `${header}${lines.map((l) => `${l}\n`).join('')}` } }] };
  },
};
