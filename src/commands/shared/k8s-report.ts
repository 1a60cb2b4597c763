import { checkConfigMapName, ConfigMapWriteError, inClusterConfig, parseLabel, writeConfigMap, type InCluster } from '../../io/k8s-configmap.js';
import { REPORT_KEY } from '../../report/fleet-configmap.js';
import { InputError } from '../../model/errors.js';
import { escapeControl } from '../../model/text.js';
import type { CheckReport } from '../../report/report.js';
import { EXIT } from '../../model/exit-codes.js';
import { renderCheckJson } from '../../render/check/json.js';

export interface ConfigMapTarget {
  readonly cluster: InCluster;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** Reads --k8s-configmap and --k8s-label before any check: a bad name, or no pod around us, is exit 2 at once. */
export function prepareConfigMap(name: string | undefined, labels: readonly string[] | undefined, env: NodeJS.ProcessEnv): ConfigMapTarget | null {
  if (name === undefined) {
    if (labels !== undefined && labels.length > 0) throw new InputError('--k8s-label', 'labels the report ConfigMap: give --k8s-configmap NAME too');
    return null;
  }
  checkConfigMapName(name, '--k8s-configmap');
  const parsed = Object.fromEntries((labels ?? []).map((label) => parseLabel(label, '--k8s-label')));
  return { cluster: inClusterConfig(env, '--k8s-configmap'), name, labels: parsed };
}

/**
 * Writes the report into the ConfigMap after stdout has it, so a failed write costs nothing
 * but itself: one line on stderr, and the exit code of a failure of aml-netcheck (2) unless
 * the report's own code ranks first (a signal, a blocked required endpoint).
 */
async function deliverToConfigMap(target: ConfigMapTarget, report: CheckReport, stderr: (text: string) => void): Promise<boolean> {
  try {
    await writeConfigMap(target.cluster, { name: target.name, labels: target.labels, data: { [REPORT_KEY]: renderCheckJson(report) } });
    return true;
  } catch (error) {
    const message = error instanceof ConfigMapWriteError ? error.message : `cannot write ConfigMap ${target.name}: ${(error as Error).message}`;
    stderr(`aml-netcheck: --k8s-configmap: ${escapeControl(message)}\n`);
    return false;
  }
}

/**
 * A report handler for `executeCheck` that hands the report to `emit`, then to the ConfigMap
 * whatever `emit` did (no ConfigMap: `emit` alone); `exitCode` folds a failed write into the
 * run's exit code.
 */
export function alsoToConfigMap(target: ConfigMapTarget | null, emit: (report: CheckReport) => Promise<void>, stderr: (text: string) => void): { emit: (report: CheckReport) => Promise<void>; exitCode: (code: number) => number } {
  let delivered = true;
  return {
    emit: async (report) => {
      try {
        await emit(report);
      } finally {
        if (target !== null) delivered = await deliverToConfigMap(target, report, stderr);
      }
    },
    exitCode: (code) => (delivered ? code : exitCodeAfterFailedWrite(code)),
  };
}

function exitCodeAfterFailedWrite(reportCode: number): number {
  const outranks: readonly number[] = [EXIT.SIGINT, EXIT.SIGTERM, EXIT.blocked];
  return outranks.includes(reportCode) ? reportCode : EXIT.failure;
}
