import type { CheckReport } from '../report.js';

/** `check -o json`: the whole report, validated by schema/report.schema.json. */
export function renderCheckJson(report: CheckReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
