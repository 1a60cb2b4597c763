import { formatColumns } from '../shared/columns.js';
import { jsonDocument } from '../shared/json.js';

/** A feature as `aml-netcheck features` shows it. */
export interface FeatureRow {
  readonly id: string;
  readonly name: string;
  /** Checked unless --features leaves it out; false for an opt-in feature. */
  readonly default: boolean;
}

export function renderFeaturesTable(features: readonly FeatureRow[]): string {
  const rows = [['ID', 'NAME', 'CHECKED BY DEFAULT'], ...features.map((f) => [f.id, f.name, f.default ? 'yes' : 'no (opt-in)'])];
  return `${formatColumns(rows)}\n`;
}

export function renderFeaturesJson(features: readonly FeatureRow[]): string {
  return jsonDocument({ features });
}
