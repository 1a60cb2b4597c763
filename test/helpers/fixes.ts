import type { ProbedTarget } from '../../src/model/result.js';
import { withFixes } from '../../src/report/report.js';
import { hasProxy, type ProxyConfig } from '../../src/runner/proxy.js';

/** The fix a report of this run would attach to a target the runner checked (a public-cloud run). */
export function fixOf(target: ProbedTarget | undefined, run: { readonly proxy: ProxyConfig }): readonly string[] | undefined {
  return target === undefined ? undefined : withFixes([target], 'public', hasProxy(run.proxy))[0]?.fix;
}
