import type { CheckFormat } from '../../render/check/registry.js';
import { Option } from 'commander';
import type { WorkspaceOptionValues } from './workspace-options.js';
import { collect } from './repeatable.js';
import { outOption } from './output-options.js';
import { auditInputOptions, type AuditInputValues } from './audit-options.js';

// Kept apart from the runners of check and bundle so that building the CLI does not load the probers.
export interface CheckOptions extends WorkspaceOptionValues, AuditInputValues {
  output: CheckFormat;
  out?: string[];
  dnsServer?: string[];
  timeout: string;
  deadline: string;
  concurrency: string;
  retries: string;
  proxy?: string;
  caFile?: string[];
  logLevel: string;
  logFile?: string;
  progress: boolean;
  k8sConfigmap?: string;
  k8sLabel?: string[];
  allowLoopbackAnswers?: boolean;
}

export const CHECK_EXAMPLE = `
Examples:
  $ aml-netcheck check --region westus2 --workspace-id 0d5c1a52-7a3e-4b34-9c5f-2f8f1b0f7d11 \\
      --storage-account st1 --compute-instance ci1 --private-endpoint
  $ aml-netcheck check --workspace-json ws.json --dns-server 10.0.0.4 --proxy http://proxy:3128 -o json --out report.json
  $ aml-netcheck check --workspace-json ws.json --config policy.json --config groups.json --source 10.0.1.0/24

With --config (the inputs of \`aml-netcheck audit\`; see its help for the az commands), each
target also carries the verdict of the admin's exported rules: a blocked one names the rule that
blocks it, and where the rules and the probe disagree the report says so and where the block
more likely is. The probe stays the verdict: --config changes no status and no exit code.

Exit codes:
  0    every required endpoint is reachable
  1    a required endpoint is blocked
  2    bad input, or aml-netcheck failed (a bug on a target, or one that escaped every check)
  3    nothing required was found blocked, but not everything needed got a verdict: the
       --deadline cut the run short, no required endpoint could be checked (all skipped),
       or a feature given to --features was not checked
  130  interrupted by SIGINT (Ctrl-C); 143 by SIGTERM. The report so far is still written.
  A --k8s-configmap write that fails is a failure of aml-netcheck (2), unless 1, 130 or 143 applies.`;

/** `bundle` takes every flag of `check` but --out, which names the bundle there. */
export function checkOptions({ out = true }: { out?: boolean } = {}): Option[] {
  return [
    new Option('--dns-server <ip[:port]>', 'resolver to use instead of the system one (repeatable; several are compared)').argParser(collect),
    new Option('--timeout <duration>', 'budget of each phase (DNS, TCP, TLS, HTTP) of each target, e.g. 500ms, 5s').default('5s'),
    new Option('--deadline <duration>', 'budget of the whole run; unfinished targets are reported as such').default('2m'),
    new Option('--concurrency <n>', 'targets checked at once').default('32'),
    new Option('--retries <n>', 'extra tries for a phase that timed out').default('1'),
    new Option('--proxy <url>', 'HTTP proxy for web checks (default: HTTPS_PROXY / HTTP_PROXY, minus NO_PROXY)'),
    new Option('--ca-file <file>', 'extra trusted CA certificates, PEM (repeatable)').argParser(collect),
    ...(out ? [outOption()] : []),
    new Option('--log-level <level>', 'log level on stderr: fatal, error, warn, info, debug, trace, silent').default('warn'),
    new Option('--log-file <file>', 'write logs to this file instead of stderr'),
    new Option('--no-progress', 'no progress line on stderr'),
    new Option('--k8s-configmap <name>', 'in a Kubernetes pod: also write the JSON report into this ConfigMap (created or replaced) through the in-cluster API'),
    new Option('--k8s-label <key=value>', 'label for the --k8s-configmap ConfigMap (repeatable)').argParser(collect),
    ...auditInputOptions(),
    LOOPBACK_ANSWERS_OPTION(),
  ];
}

/**
 * Hidden, for the tests that run the CLI against services they simulate on loopback: a
 * loopback answer from a resolver on loopback is then the service, not a sinkhole. Nothing
 * else changes: 0.0.0.0, link-local and the other special-use answers stay dns-sinkholed, and
 * so does a loopback answer from any resolver that is not on this machine's loopback.
 */
const LOOPBACK_ANSWERS_OPTION = (): Option => new Option('--allow-loopback-answers', 'loopback answers of a loopback resolver are the service (tests only)').hideHelp();
