import { createLogger } from '../../io/log.js';
import { CHECK_RENDERERS } from '../../render/check/registry.js';
import type { CheckOptions } from '../shared/check-options.js';
import { checkRunFromOptions } from '../shared/check-run.js';
import { prepareOutput, runFilesOf } from '../shared/emit.js';
import { emitReport, executeCheck } from '../shared/execute-check.js';
import { alsoToConfigMap, prepareConfigMap } from '../shared/k8s-report.js';
import type { Invocation } from '../shared/spec.js';

/** `check`: reads the flags, runs every check, prints the report; resolves to the exit code. */
export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as CheckOptions;
  const files = prepareOutput(options.out, CHECK_RENDERERS, runFilesOf(options));
  const configMap = prepareConfigMap(options.k8sConfigmap, options.k8sLabel, context.env);
  const run = checkRunFromOptions(options, context, { warn: context.stderr, logger: () => createLogger(options.logLevel, options.logFile) });
  const handler = alsoToConfigMap(configMap, (report) => emitReport(report, options.output, files, context), context.stderr);
  const code = await executeCheck(run, handler.emit);
  run.options.logger.flush?.();
  return handler.exitCode(code);
}
