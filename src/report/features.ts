import type { Catalog } from '../catalog/types.js';
import type { CheckedTarget, FeatureResult, FeatureStatus } from '../model/result.js';

/** A required target that was not proven reachable breaks its features. */
export function breaksFeature(target: CheckedTarget): boolean {
  return target.required && (target.verdict === 'blocked' || target.reason === 'aborted');
}

/**
 * Which features work from here: broken when a required target is blocked (or was
 * not finished), degraded when only optional targets fail or something warns,
 * not-checked when every target of the feature was skipped.
 */
export function judgeFeatures(catalog: Catalog, targets: readonly CheckedTarget[]): FeatureResult[] {
  const ids = [...new Set(targets.flatMap((t) => t.features))];
  const order = [...catalog.features.keys()];
  ids.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return ids.map((id) => {
    const mine = targets.filter((t) => t.features.includes(id));
    const checked = mine.filter((t) => t.verdict !== 'skipped' || t.reason === 'aborted');
    const broken = checked.filter(breaksFeature);
    const degraded = checked.filter((t) => !breaksFeature(t) && (t.verdict === 'blocked' || t.verdict === 'warning'));
    let status: FeatureStatus = 'ok';
    if (checked.length === 0) status = 'not-checked';
    else if (broken.length > 0) status = 'broken';
    else if (degraded.length > 0) status = 'degraded';
    return {
      id,
      name: catalog.features.get(id)?.name ?? id,
      status,
      blockedBy: (broken.length > 0 ? broken : degraded).map((t) => t.id),
      targets: checked.length,
    };
  });
}
