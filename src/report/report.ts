import type { Catalog } from '../catalog/types.js';
import { breaksFeature, judgeFeatures } from './features.js';
import type { CheckedTarget, FeatureResult } from '../model/result.js';
import type { WorkspaceFacts } from '../model/facts.js';

/** Bump when a consumer of the JSON report would have to change. */
export const REPORT_SCHEMA_VERSION = 1;

export interface RunSettings {
  readonly timeoutMs: number;
  readonly deadlineMs: number | null;
  readonly concurrency: number;
  readonly retries: number;
  /** `address:port` of the resolvers used; empty means the machine's own. */
  readonly dnsServers: readonly string[];
  /** The proxy, credentials masked; null when checks go direct. */
  readonly proxy: string | null;
  readonly proxySource: string | null;
}

export interface ReportSummary {
  readonly targets: number;
  readonly reachable: number;
  readonly blocked: number;
  readonly warning: number;
  readonly skipped: number;
  /** Targets the deadline or an interrupt cut short. */
  readonly unfinished: number;
  /** Required targets blocked or unfinished: each breaks a feature. */
  readonly requiredFailing: number;
  readonly featuresBroken: readonly string[];
  /** True when every target that was to be checked got a verdict. */
  readonly complete: boolean;
  readonly exitCode: 0 | 1;
}

export interface CheckReport {
  readonly schemaVersion: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly startedAt: string;
  readonly durationMs: number;
  readonly facts: WorkspaceFacts;
  readonly settings: RunSettings;
  readonly targets: readonly CheckedTarget[];
  readonly features: readonly FeatureResult[];
  readonly summary: ReportSummary;
}

export function buildReport(input: {
  catalog: Catalog;
  version: string;
  startedAt: Date;
  durationMs: number;
  facts: WorkspaceFacts;
  settings: RunSettings;
  targets: readonly CheckedTarget[];
}): CheckReport {
  const { targets } = input;
  const count = (verdict: CheckedTarget['verdict']): number => targets.filter((t) => t.verdict === verdict).length;
  const unfinished = targets.filter((t) => t.reason === 'aborted').length;
  const features = judgeFeatures(input.catalog, targets);
  const requiredFailing = targets.filter(breaksFeature).length;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'aml-netcheck', version: input.version },
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    facts: input.facts,
    settings: input.settings,
    targets,
    features,
    summary: {
      targets: targets.length,
      reachable: count('reachable'),
      blocked: count('blocked'),
      warning: count('warning'),
      skipped: count('skipped') - unfinished,
      unfinished,
      requiredFailing,
      featuresBroken: features.filter((f) => f.status === 'broken').map((f) => f.id),
      complete: unfinished === 0,
      exitCode: requiredFailing > 0 ? 1 : 0,
    },
  };
}
