import { EMPTY_PHASES, type CheckedTarget } from '../../src/model/result.js';
import type { Target } from '../../src/model/target.js';

/**
 * A target for `host:port` with neutral values in every field (an outbound TCP check of one
 * feature, no rules, no sources); a test overrides what it is about.
 */
export function sampleTarget(id: string, overrides: Partial<Target> = {}): Target {
  const [host, port] = id.split(':') as [string, string];
  return {
    id,
    host,
    port: Number(port),
    protocol: 'tcp',
    probe: 'tcp',
    direction: 'outbound',
    path: null,
    pattern: host,
    features: [],
    required: true,
    condition: null,
    representative: false,
    privateName: null,
    mustResolvePrivately: false,
    skipped: null,
    purpose: 'p',
    rules: [],
    sources: [],
    ...overrides,
  };
}

/** The same target after its check, with `verdict` and `reason`; the rest of the result is neutral unless overridden. */
export function sampleChecked(id: string, verdict: CheckedTarget['verdict'], reason: CheckedTarget['reason'], overrides: Partial<CheckedTarget> = {}): CheckedTarget {
  return {
    ...sampleTarget(id),
    verdict,
    reason,
    phase: reason ? 'tcp' : null,
    detail: `${id} ${verdict}`,
    warnings: [],
    fix: [],
    via: 'direct',
    attempts: 1,
    timings: { total: 12 },
    phases: EMPTY_PHASES,
    ...overrides,
  };
}
