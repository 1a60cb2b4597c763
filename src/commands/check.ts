import { createLogger } from '../io/log.js';
import type { Write } from '../io/stdout.js';
import { CHECK_FORMATS } from '../reporters/formats.js';
import type { CheckOptions } from './shared/check-options.js';
import { checkRunFromOptions } from './shared/check-run.js';
import { prepareOutput, runFilesOf } from './shared/emit.js';
import { emitReport, executeCheck } from './shared/execute-check.js';
import { alsoToConfigMap, prepareConfigMap } from './k8s-report.js';

/** `check`: reads the flags, runs every check, prints the report; resolves to the exit code. */
export async function runCheck(options: CheckOptions, version: string, write: Write): Promise<number> {
  const files = prepareOutput(options.out, CHECK_FORMATS, runFilesOf(options));
  const configMap = prepareConfigMap(options.k8sConfigmap, options.k8sLabel, process.env);
  const run = checkRunFromOptions(options, version, { warn: (line) => process.stderr.write(line), logger: () => createLogger(options.logLevel, options.logFile) });
  const handler = alsoToConfigMap(configMap, (report) => emitReport(report, options.output, files, write));
  const code = await executeCheck(run, handler.emit);
  run.options.logger.flush?.();
  return handler.exitCode(code);
}
