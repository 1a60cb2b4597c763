import type { Catalog } from '../catalog/types.js';
import type { CheckedTarget, FeatureResult, FeatureStatus } from '../model/result.js';

/**
 * Features by impact, as every report lists them: what is known to fail first (broken, then
 * degraded), then what the run could not tell, then what works, then what was not checked.
 */
export const FEATURE_STATUS_ORDER: Readonly<Record<FeatureStatus, number>> = { broken: 0, degraded: 1, unknown: 2, ok: 3, 'not-checked': 4 };

export function byImpact(a: FeatureResult, b: FeatureResult): number {
  return FEATURE_STATUS_ORDER[a.status] - FEATURE_STATUS_ORDER[b.status];
}

/** A required target that is blocked breaks its features. */
export function breaksFeature(target: CheckedTarget): boolean {
  return target.required && target.verdict === 'blocked';
}

/**
 * Which features work from here. Broken: a required target is blocked. Unknown: nothing
 * required is known to be blocked, but a target has no verdict (the run was cut short, or
 * aml-netcheck failed on it), so the feature cannot be called ok, nor merely degraded.
 * Degraded: only optional targets fail, or something warns. Not-checked: every target skipped.
 */
export function judgeFeatures(catalog: Catalog, targets: readonly CheckedTarget[], requested: readonly string[] = []): FeatureResult[] {
  // A feature the run was asked for stays in the report even when no target serves it, so
  // that asking for it and getting nothing is shown as not checked rather than left out.
  const ids = [...new Set([...targets.flatMap((t) => t.features), ...requested])];
  const order = [...catalog.features.keys()];
  ids.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return ids.map((id) => {
    const checked = targets.filter((t) => t.features.includes(id) && t.verdict !== 'skipped');
    const broken = checked.filter(breaksFeature);
    const unknown = checked.filter((t) => t.verdict === 'unknown');
    const degraded = checked.filter((t) => !breaksFeature(t) && (t.verdict === 'blocked' || t.verdict === 'warning'));
    let status: FeatureStatus = 'ok';
    let behind: CheckedTarget[] = [];
    if (checked.length === 0) status = 'not-checked';
    else if (broken.length > 0) [status, behind] = ['broken', broken];
    else if (unknown.length > 0) [status, behind] = ['unknown', unknown];
    else if (degraded.length > 0) [status, behind] = ['degraded', degraded];
    return { id, name: catalog.features.get(id)?.name ?? id, status, impact: catalog.features.get(id)?.impact ?? null, blockedBy: behind.map((t) => t.id), targets: checked.length };
  });
}
