/**
 * Reads the requirement tables out of a revision of the Azure ML article
 * ("Configure inbound and outbound network traffic"), whatever its language.
 * It keys on what translations keep: anchors, tab ids, table shapes, host names.
 */
import type { Cloud } from '../../src/model/clouds.js';

export interface ArticleRow {
  /** Anchor of the article section the table sits in, e.g. microsoft-hosts. */
  readonly anchor: string;
  /** 1-based index of the bold sub-title inside the section, 0 before the first. */
  readonly block: number;
  /** Index of the table (or bullet list) inside its block. */
  readonly table: number;
  /** The first cell ("required for"), in the article's language. */
  readonly label: string;
  readonly hosts: readonly string[];
  readonly serviceTag: string | null;
  readonly note: string;
  /** Ports the row gives; null when the row gives none (application rules: http and https). */
  readonly ports: readonly number[] | null;
  readonly anyPort: boolean;
  /** Clouds the row applies to: from the tab, the column, or null when the table does not say. */
  readonly clouds: readonly Cloud[] | null;
  readonly direction: 'inbound' | 'outbound' | null;
}

const HOST_TOKEN = /^(?:\*|<[a-z-]+>)?[a-z0-9*<>._-]*\.[a-z0-9<>._-]+(?:\/[A-Za-z0-9._~\/*-]*)?$/;

function cells(line: string): string[] {
  const trimmed = line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|\s*$/, '');
  return trimmed.split('|').map((c) => c.trim());
}

function clean(cell: string): string {
  return cell.replace(/\*\*/g, '').replace(/__/g, '').replace(/\\/g, '').trim();
}

/** Host names in a cell: split on line breaks, commas and spaces, keep what looks like a host. */
function hostsIn(cell: string): string[] {
  return clean(cell)
    .split(/<\/?br\s*\/?>|,|\s+/i)
    .map((t) => t.trim().replace(/\.$/, ''))
    .filter((t) => t !== '' && HOST_TOKEN.test(t));
}

function portsIn(cell: string): { ports: number[] | null; any: boolean } {
  const text = clean(cell);
  if (text === '*') return { ports: null, any: true };
  const ports: number[] = [];
  for (const m of text.matchAll(/(\d{2,5})(?:-(\d{2,5}))?/g)) {
    const from = Number(m[1]);
    const to = m[2] ? Number(m[2]) : from;
    for (let p = from; p <= to; p++) ports.push(p);
  }
  return { ports: ports.length > 0 ? ports : null, any: false };
}

const TAB_CLOUD: Record<string, Cloud> = { public: 'public', gov: 'usgov', china: 'china' };
const SERVICE_TAG = /^[A-Z][A-Za-z]+(?:\.[A-Za-z]+)?$/;

export function parseArticle(text: string): ArticleRow[] {
  const rows: ArticleRow[] = [];
  let anchor = '';
  let block = 0;
  let tableInBlock = 0;
  let tab: Cloud | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const named = /<a name="([^"]+)"><\/a>/.exec(line);
    const tabMatch = /\(#tab\/(public|gov|china)\)/.exec(line);
    if (tabMatch) {
      tab = TAB_CLOUD[tabMatch[1] as string] ?? null;
      continue;
    }
    if (named && /^#{1,3} /.test(line)) {
      anchor = named[1] as string;
      block = 0;
      tableInBlock = 0;
      tab = null;
      continue;
    }
    if (/^---\s*$/.test(line)) {
      tab = null;
      continue;
    }
    if (/^\*\*[^*].*\*\*\s*$/.test(line.trim())) {
      block++;
      tableInBlock = 0;
      tab = null;
      continue;
    }
    // Bullet lists of bold hosts (support diagnostics) and "outbound to host" bullets (AKS).
    const bullet = /^\s*\*\s+(.*)$/.exec(line);
    if (bullet && !line.trim().startsWith('|')) {
      const item = bullet[1] as string;
      const bold = /^\*\*([a-z0-9.-]+\.[a-z]{2,})\*\*\s*$/.exec(item.trim());
      const host = bold ? [bold[1] as string] : (/__[^_]+__[^`]*?\b((?:[a-z0-9-]+\.)+[a-z]{2,})\.?\s*$/.exec(item)?.slice(1, 2) ?? []);
      if (host.length > 0) {
        rows.push({ anchor, block, table: tableInBlock, label: 'bullet', hosts: host, serviceTag: null, note: '', ports: null, anyPort: false, clouds: tab ? [tab] : null, direction: 'outbound' });
      }
      continue;
    }
    if (!line.trim().startsWith('|')) continue;
    // A table: header, separator, rows.
    const header = cells(line);
    const separator = lines[i + 1] ?? '';
    if (!/^\s*\|[\s:|-]+\|?\s*$/.test(separator)) continue;
    i += 2;
    const body: string[][] = [];
    while (i < lines.length && (lines[i] as string).trim().startsWith('|')) body.push(cells(lines[i++] as string));
    i--;
    rows.push(...tableRows(header, body, { anchor, block, table: tableInBlock, tab }));
    tableInBlock++;
  }
  return rows;
}

function tableRows(header: string[], body: string[][], where: { anchor: string; block: number; table: number; tab: Cloud | null }): ArticleRow[] {
  const out: ArticleRow[] = [];
  const base = { anchor: where.anchor, block: where.block, table: where.table };
  // Four columns of which three hold hosts: one column per cloud (older revisions).
  const perCloud = header.length === 4 && body.some((r) => hostsIn(r[1] ?? '').length > 0 && hostsIn(r[3] ?? '').length > 0) && !body.some((r) => /^\d/.test(clean(r[3] ?? '')));
  for (const row of body) {
    const label = clean(row[0] ?? '');
    if (perCloud) {
      (['public', 'usgov', 'china'] as const).forEach((cloud, k) => {
        const hosts = hostsIn(row[k + 1] ?? '');
        if (hosts.length > 0) out.push({ ...base, label, hosts, serviceTag: null, note: '', ports: null, anyPort: false, clouds: [cloud], direction: 'outbound' });
      });
      continue;
    }
    // Service tags: a cell holding a tag name, the include file adds a direction column.
    const tagCell = row.findIndex((c) =>
      SERVICE_TAG.test(
        clean(c)
          .split(/<\/?br\s*\/?>/i)[0]
          ?.trim() ?? '',
      ),
    );
    const tagName = tagCell >= 0 ? (clean(row[tagCell] as string).split(/<\/?br\s*\/?>/i)[0] as string).trim() : '';
    if (tagCell >= 0 && /[a-z]\.[a-z]|^[A-Z][a-z]+[A-Z]/.test(tagName) && hostsIn(row[tagCell] ?? '').length === 0) {
      const portCell = row.find((c, k) => k !== tagCell && /^(\*|[\d, -]+)$/.test(clean(c)));
      const parsed = portsIn(portCell ?? '');
      const directionCell = row.length >= 4 ? clean(row[0] ?? '') : '';
      const direction = /入站|inbound|entrada|entrant|受信/i.test(directionCell) ? 'inbound' : 'outbound';
      out.push({ ...base, label, hosts: [], serviceTag: tagName, note: clean(row[tagCell] as string), ports: parsed.ports, anyPort: parsed.any, clouds: null, direction });
      continue;
    }
    // Ports table: a number and a description.
    if (/^\d+$/.test(label)) {
      out.push({ ...base, label, hosts: [], serviceTag: null, note: '', ports: [Number(label)], anyPort: false, clouds: null, direction: null });
      continue;
    }
    // Host rows: find the host cell and, if any, the port cell.
    const hostCell = row.findIndex((c) => hostsIn(c).length > 0);
    if (hostCell < 0) continue;
    const portCell = row.findIndex((c, k) => k !== hostCell && /^(?:(?:tcp|https?):)?\d[\d, ]*$/i.test(clean(c)));
    const parsed = portCell >= 0 ? portsIn(row[portCell] as string) : { ports: null, any: false };
    out.push({ ...base, label, hosts: hostsIn(row[hostCell] as string), serviceTag: null, note: '', ports: parsed.ports, anyPort: false, clouds: where.tab ? [where.tab] : null, direction: 'outbound' });
  }
  return out;
}
