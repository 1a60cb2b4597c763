import { InputError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_MS = 24 * 3_600_000;

/** Reads `500ms`, `5s`, `1.5s`, `2m`; a bare number is milliseconds, as in most network tools' flags. */
export function parseDuration(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) throw new InputError(flag, `'${text}' is not a duration (like 500ms, 5s, 2m, or a number of milliseconds)`);
  const ms = Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] as number));
  if (ms <= 0) throw new InputError(flag, `'${text}' must be longer than zero`);
  if (ms > MAX_MS) throw new InputError(flag, `'${text}' is longer than 24h`);
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  return `${Number((ms / 60_000).toFixed(1))}m`;
}
