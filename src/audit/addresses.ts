/**
 * IPv4 addresses, prefixes and ranges as firewall rules write them (`10.0.0.4`, `10.0.0.0/24`,
 * `10.0.0.1-10.0.0.9`), as inclusive [first, last] numbers so that containment is arithmetic.
 */
export interface Span {
  readonly first: number;
  readonly last: number;
}

const OCTETS = /^(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)\.(25[0-5]|2[0-4]\d|1?\d?\d)$/;

function addressNumber(text: string): number | null {
  const match = OCTETS.exec(text);
  if (match === null) return null;
  return match.slice(1).reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

/** The span an address, prefix or range covers; null when the text is none of them (a service tag, IPv6, `*`). */
export function ipv4Span(text: string): Span | null {
  const dash = text.indexOf('-');
  if (dash !== -1) {
    const first = addressNumber(text.slice(0, dash));
    const last = addressNumber(text.slice(dash + 1));
    return first === null || last === null || last < first ? null : { first, last };
  }
  const [address, length, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return null;
  const base = addressNumber(address);
  if (base === null) return null;
  if (length === undefined) return { first: base, last: base };
  if (!/^(3[0-2]|[12]?\d)$/.test(length)) return null;
  const size = 2 ** (32 - Number(length));
  const first = base - (base % size);
  return { first, last: first + size - 1 };
}

export function spanContains(outer: Span, inner: Span): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

export function spansOverlap(a: Span, b: Span): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** An IPv6 address or prefix: accepted in a rule, never compared with the IPv4 subnets of --source. */
export function isIpv6(text: string): boolean {
  return /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(text) && text.includes(':');
}

/** The spans sorted and joined where they touch or overlap, so that set questions are one pass. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.first - b.first);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && span.first <= last.last + 1) merged[merged.length - 1] = { first: last.first, last: Math.max(last.last, span.last) };
    else merged.push(span);
  }
  return merged;
}

/** How a set of addresses (merged spans) lies against another: inside it, apart from it, or across its edge. */
export function relationOf(inner: readonly Span[], outer: readonly Span[]): 'inside' | 'apart' | 'across' {
  if (inner.length > 0 && inner.every((span) => outer.some((o) => spanContains(o, span)))) return 'inside';
  return inner.some((span) => outer.some((o) => spansOverlap(o, span))) ? 'across' : 'apart';
}
