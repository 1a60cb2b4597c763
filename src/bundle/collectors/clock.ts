import type { CheckReport } from '../../report/report.js';
import type { Collector } from '../contract.js';

/** Azure AD refuses tokens issued or checked across a clock skew of five minutes. */
const AZURE_AD_SKEW_TOLERANCE_MS = 5 * 60 * 1000;

export interface ClockSample {
  readonly target: string;
  readonly url: string;
  readonly date: string;
  /** The server's Date minus our clock. */
  readonly offsetMs: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : Math.round(((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2);
}

function duration(ms: number): string {
  const seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 120 ? `${minutes} min ${seconds % 60} s` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** Our clock against the Date headers the servers sent during the run; HTTPS answers first, as the services' own. */
export function clockOffset(report: CheckReport): { samples: ClockSample[]; offsetMs: number | null; basis: string; skewed: boolean | null; verdict: string } {
  const samples: ClockSample[] = [];
  for (const target of report.targets) {
    const details = target.phases.http?.details;
    if (details === undefined || details.clockOffsetMs === null || details.headers.date === null) continue;
    samples.push({ target: target.id, url: details.url, date: details.headers.date, offsetMs: details.clockOffsetMs });
  }
  const https = samples.filter((s) => s.url.startsWith('https:'));
  const basis = https.length > 0 ? https : samples;
  if (basis.length === 0) return { samples, offsetMs: null, basis: 'none', skewed: null, verdict: 'no answer carried a Date header: the clock could not be compared' };
  const offsetMs = median(basis.map((s) => s.offsetMs));
  const skewed = Math.abs(offsetMs) >= AZURE_AD_SKEW_TOLERANCE_MS;
  const direction = offsetMs > 0 ? 'behind' : 'ahead of';
  const basisText = `the median of ${basis.length} ${https.length > 0 ? 'HTTPS' : 'HTTP'} answer(s)`;
  const verdict = skewed
    ? `SKEWED: this machine's clock is ${duration(offsetMs)} ${direction} the servers' (${basisText}); Azure AD refuses tokens past 5 minutes of skew: fix the time sync (NTP, chrony, w32time)`
    : `within Azure AD's 5-minute tolerance: this machine's clock is ${Math.abs(offsetMs) < 2000 ? 'in step with' : `${duration(offsetMs)} ${direction}`} the servers' (${basisText}; Date headers count whole seconds)`;
  return { samples, offsetMs, basis: https.length > 0 ? 'https' : 'http', skewed, verdict };
}

export const clockCollector: Collector = {
  name: 'clock',
  describes: "this machine's clock against the Date headers of the answers seen during the run (skew past 5 minutes breaks Azure AD tokens)",
  collect: ({ report }) => ({ files: [{ name: 'environment/clock.json', content: { json: clockOffset(report) } }] }),
};
