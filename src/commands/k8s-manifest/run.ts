import YAML from 'yaml';
import { FACT_ROWS, type FactKey } from '../../facts/table.js';
import { checkConfigMapName, parseLabel } from '../../io/k8s-configmap.js';
import { NODE_LABEL, RUN_LABEL } from '../../report/fleet-configmap.js';
import { InputError } from '../../model/errors.js';
import { OUTCOME_EXIT_CODES } from '../../model/exit-codes.js';
import type { WorkspaceFacts } from '../../model/facts.js';
import { quote } from '../../model/text.js';
import { resolveWorkspace } from '../shared/workspace.js';
import type { Invocation } from '../shared/spec.js';
import type { K8sManifestOptions } from './spec.js';

/**
 * `k8s-manifest`: the ServiceAccount, RBAC, facts ConfigMap and Job that run `check` in a
 * cluster, printed as YAML for `kubectl apply -f -`. The manifests are built as objects and
 * every value is emitted by the yaml library: a value can never become YAML structure.
 */

/** The namespace the Azure ML extension installs its components in. */
export const DEFAULT_NAMESPACE = 'azureml';
/**
 * An image reference as registries and Kubernetes take it: [host[:port]/]path[:tag][@digest].
 * Anything else would fail to pull, or is an attempt to smuggle YAML.
 */
const IMAGE_REFERENCE = /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** Where the pod mounts the --bundle-claim volume. */
const BUNDLE_DIR = '/bundles';
const NAME = 'aml-netcheck';
const FACTS_CONFIGMAP = 'aml-netcheck-facts';
const CA_DIR = '/etc/aml-netcheck/ca';
const PROXY_VARIABLES = ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY'] as const;
/** The node user of the Node.js images, which the Dockerfile runs as. */
const UID = 1000;
const MAX_FLEET = 5000;

export interface ManifestInput {
  readonly version: string;
  readonly namespace: string;
  readonly image: string;
  readonly runId: string;
  readonly facts: WorkspaceFacts;
  readonly features: readonly string[] | undefined;
  /** The revision of the article the pods check against, pinned so every node checks the same list. */
  readonly revision: string | null;
  /** Pods, each on a node of its own; null for one pod anywhere. */
  readonly fleet: number | null;
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** The report ConfigMap; in fleet mode each pod's name is this, a dash and its node. */
  readonly reportConfigMap: string;
  readonly caConfigMap: string | null;
  /** A PersistentVolumeClaim for the support bundle; null runs check alone. */
  readonly bundleClaim: string | null;
  readonly proxy: Partial<Record<(typeof PROXY_VARIABLES)[number], string>>;
}

type Manifest = Record<string, unknown>;

const envName = (key: string): string => `AML_NETCHECK_${key.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** The facts as ConfigMap data, and the check arguments that read them back through $(VAR) expansion. */
function factArguments(facts: WorkspaceFacts, features: readonly string[] | undefined, revision: string | null): { data: Record<string, string>; args: string[] } {
  const data: Record<string, string> = {};
  const args: string[] = [];
  const fromConfigMap = (flag: string, key: string, value: string): void => {
    data[key] = value;
    args.push(flag, `$(${envName(key)})`);
  };
  const fromConfigMapWord = (key: string, word: string): void => {
    data[key] = word;
    args.push(`$(${envName(key)})`);
  };
  for (const row of FACT_ROWS) {
    const value = facts[row.key as FactKey];
    const key = row.flag.slice(2);
    if (row.kind === 'boolean') {
      // The ConfigMap holds the flag itself, so flipping it there (--hbi to --no-hbi) takes
      // effect without a new manifest: $(VAR) expansion can fill in a word, not drop one.
      fromConfigMapWord(key, value === true ? row.flag : row.flag.replace(/^--/, '--no-'));
    } else if (row.kind === 'list') {
      (value as string[]).forEach((item, index) => fromConfigMap(row.flag, `${key}-${index + 1}`, item));
    } else if (row.kind === 'comma-list') {
      if ((value as string[]).length > 0) fromConfigMap(row.flag, key, (value as string[]).join(','));
    } else if (typeof value === 'string') {
      fromConfigMap(row.flag, key, value);
    }
  }
  if (features !== undefined) fromConfigMap('--features', 'features', features.join(','));
  if (revision !== null) fromConfigMap('--revision', 'revision', revision);
  return { data, args };
}

/** The annotation an Indexed Job puts its pod's completion index in. */
const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';

/** Every report ConfigMap a fleet of `size` pods may write: the name, a dash and the index. */
export function fleetReportNames(name: string, size: number): string[] {
  return Array.from({ length: size }, (_, index) => `${name}-${index}`);
}

export function buildManifests(input: ManifestInput): Manifest[] {
  const { namespace, runId, fleet } = input;
  const shared = { 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/version': input.version };
  // The run's label marks only what belongs to this run, so that `-l aml-netcheck/run=<id>` finds its reports and nothing else.
  const labels = { ...shared, [RUN_LABEL]: runId };
  const metadata = (name: string, extra: Record<string, string> = shared) => ({ name, namespace, labels: { ...extra } });
  const { data, args: factArgs } = factArguments(input.facts, input.features, input.revision);
  const proxyData = Object.fromEntries(PROXY_VARIABLES.flatMap((variable) => (input.proxy[variable] === undefined ? [] : [[variable, input.proxy[variable]]])));

  const env: Manifest[] = [
    ...Object.keys(data).map((key) => ({ name: envName(key), valueFrom: { configMapKeyRef: { name: FACTS_CONFIGMAP, key } } })),
    // Set when the facts ConfigMap has them: edit it to send the checks through a proxy.
    ...PROXY_VARIABLES.map((variable) => ({ name: variable, valueFrom: { configMapKeyRef: { name: FACTS_CONFIGMAP, key: variable, optional: true } } })),
  ];
  const reportLabels = ['--k8s-label', `${RUN_LABEL}=${runId}`];
  let reportName = input.reportConfigMap;
  if (fleet !== null) {
    env.push({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    // Named by the pod's index, not its node: the names are known now, so the Role can let a
    // pod that was evicted and started again replace its own report, and only that.
    env.push({ name: 'JOB_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } });
    reportName = `${input.reportConfigMap}-$(JOB_INDEX)`;
    reportLabels.push('--k8s-label', `${NODE_LABEL}=$(NODE_NAME)`);
  }
  // With a claim the pod runs `bundle`: the same check and report, and the bundle kept on the volume.
  const bundleFile = `${BUNDLE_DIR}/aml-netcheck-${runId}${fleet === null ? '' : '-$(NODE_NAME)'}.tar.gz`;
  const command = input.bundleClaim === null ? ['check'] : ['bundle', '--out', bundleFile];
  const args = [...command, ...factArgs, '-o', 'json', '--k8s-configmap', reportName, ...reportLabels];
  const volumes: Manifest[] = [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }];
  const volumeMounts: Manifest[] = [{ name: 'tmp', mountPath: '/tmp' }];
  if (input.bundleClaim !== null) {
    volumes.push({ name: 'bundles', persistentVolumeClaim: { claimName: input.bundleClaim } });
    volumeMounts.push({ name: 'bundles', mountPath: BUNDLE_DIR });
  }
  if (input.caConfigMap !== null) {
    volumes.push({ name: 'ca', configMap: { name: input.caConfigMap, items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
    volumeMounts.push({ name: 'ca', mountPath: CA_DIR, readOnly: true });
    args.push('--ca-file', `${CA_DIR}/ca.crt`);
  }

  const podSpec: Manifest = {
    serviceAccountName: NAME,
    automountServiceAccountToken: true,
    restartPolicy: 'Never',
    // fsGroup: a claim's volume is root-owned when the pod gets it; the kubelet hands it to our group.
    securityContext: { runAsNonRoot: true, runAsUser: UID, runAsGroup: UID, fsGroup: UID, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } },
    ...(Object.keys(input.nodeSelector).length > 0 ? { nodeSelector: { ...input.nodeSelector } } : {}),
    ...(fleet === null ? {} : { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { [RUN_LABEL]: runId } }, topologyKey: 'kubernetes.io/hostname' }] } } }),
    containers: [
      {
        name: NAME,
        image: input.image,
        args,
        env,
        // Measured: `demo` (every check of the catalog plus the simulated Azure it dials, in one
        // process) peaks at 140 MB RSS and 1.4 s of CPU; a check alone stays under 100 MB.
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } },
        volumeMounts,
      },
    ],
    volumes,
  };

  // A report is a result, not a failure to retry: the outcome codes (blocked, bad input, unverified)
  // end the pod for good; an eviction does not count against the retries.
  const outcomeRule = fleet === null ? 'FailJob' : 'FailIndex';
  const podFailurePolicy = {
    rules: [
      { action: outcomeRule, onExitCodes: { containerName: NAME, operator: 'In', values: [...OUTCOME_EXIT_CODES] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
    ],
  };
  const job: Manifest = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(`${NAME}-${runId}`, labels),
    spec: {
      ...(fleet === null ? { backoffLimit: 1 } : { completionMode: 'Indexed', completions: fleet, parallelism: fleet, backoffLimitPerIndex: 1 }),
      podFailurePolicy,
      // The check's own deadline is 2 minutes; this leaves room to pull the image.
      activeDeadlineSeconds: 600,
      ttlSecondsAfterFinished: 86_400,
      template: { metadata: { labels: { ...labels } }, spec: podSpec },
    },
  };

  // Kubernetes cannot limit `create` to a name: a single pod replaces a ConfigMap made here and
  // may touch no other; fleet pods create theirs, and may read and replace only the fleet's
  // names, one per index, when a pod started again finds its report there already.
  const reportRules =
    fleet === null
      ? [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [input.reportConfigMap], verbs: ['get', 'update'] }]
      : [
          { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
          { apiGroups: [''], resources: ['configmaps'], resourceNames: fleetReportNames(input.reportConfigMap, fleet), verbs: ['get', 'update'] },
        ];
  const manifests: Manifest[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(NAME), automountServiceAccountToken: false },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: metadata(`${NAME}-report`), rules: reportRules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(`${NAME}-report`),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${NAME}-report` },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(FACTS_CONFIGMAP), data: { ...data, ...proxyData } },
  ];
  if (fleet === null) {
    // No data: `kubectl apply` again must not wipe the report the pod wrote into it.
    manifests.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(input.reportConfigMap, { ...labels, 'app.kubernetes.io/component': 'report' }) });
  }
  manifests.push(job);
  return manifests;
}

/** YAML documents, every scalar written by the yaml library (quoted wherever plain would change its meaning). */
export function renderManifests(manifests: readonly Manifest[], version: string): string {
  const header = `# aml-netcheck ${version} k8s-manifest: kubectl apply -f this file, then kubectl logs job/<name> or get the report ConfigMap.\n`;
  return header + manifests.map((manifest) => `---\n${YAML.stringify(manifest, { lineWidth: 0 })}`).join('');
}

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RUN_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

function defaultRunId(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15).toLowerCase();
}

function parseFleet(text: string | undefined): number | null {
  if (text === undefined) return null;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > MAX_FLEET) throw new InputError('--fleet', `${quote(text)} is not a number of nodes from 1 to ${MAX_FLEET}`);
  return value;
}

function checkProxy(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('--proxy', `${quote(url)} is not a URL such as http://proxy.corp:3128`);
  }
  // ConfigMaps are not secret: a password would sit in clear in the cluster.
  if (parsed.username !== '' || parsed.password !== '') throw new InputError('--proxy', 'a proxy URL with credentials would be stored in clear in a ConfigMap; give the proxy without them');
  return url;
}

/** Reads the flags into a ManifestInput, refusing what the cluster would refuse (or could not carry). */
export function manifestInput(options: K8sManifestOptions, version: string, now: Date): ManifestInput {
  if (options.catalog !== undefined) throw new InputError('--catalog', 'a catalog file cannot travel into the pod; k8s-manifest checks the shipped catalog');
  const { catalog, facts, features } = resolveWorkspace(options);
  const namespace = options.namespace;
  if (!DNS_LABEL.test(namespace)) throw new InputError('--namespace', `${quote(namespace)} is not a namespace name (at most 63 lower-case letters, digits and '-')`);
  const runId = options.runId ?? defaultRunId(now);
  if (!RUN_ID.test(runId)) throw new InputError('--run-id', `${quote(runId)} is not a run id (at most 32 lower-case letters, digits and '-', starting and ending with a letter or digit)`);
  const fleet = parseFleet(options.fleet);
  const reportConfigMap = checkConfigMapName(options.k8sConfigmap ?? (fleet === null ? 'aml-netcheck-report' : `aml-netcheck-${runId}`), '--k8s-configmap');
  const nodeSelector = Object.fromEntries((options.nodeSelector ?? []).map((pair) => parseLabel(pair, '--node-selector')));
  const caConfigMap = options.caConfigmap === undefined ? null : checkConfigMapName(options.caConfigmap, '--ca-configmap');
  // A claim's name follows the same rule as a ConfigMap's (a DNS subdomain).
  const bundleClaim = options.bundleClaim === undefined ? null : checkConfigMapName(options.bundleClaim, '--bundle-claim');
  const bundleClaimShared = options.bundleClaimRwx === true;
  if (bundleClaimShared && bundleClaim === null) throw new InputError('--bundle-claim-rwx', 'says the --bundle-claim is ReadWriteMany: give --bundle-claim too');
  if (fleet !== null && fleet > 1 && bundleClaim !== null && !bundleClaimShared) {
    throw new InputError(
      '--bundle-claim',
      `${fleet} pods on ${fleet} nodes would mount ${quote(bundleClaim)} at once: a ReadWriteOnce disk (Azure Disk, the default storage class) fails with Multi-Attach. Use a ReadWriteMany claim (Azure Files, NFS) and add --bundle-claim-rwx to say so`,
    );
  }
  const image = options.image ?? `aml-netcheck:${version}`;
  if (!IMAGE_REFERENCE.test(image)) throw new InputError('--image', `${quote(image)} is not an image reference like myregistry.azurecr.io/aml-netcheck:${version}`);
  const proxy: ManifestInput['proxy'] = {};
  if (options.proxy !== undefined) {
    proxy.HTTPS_PROXY = checkProxy(options.proxy);
    proxy.HTTP_PROXY = proxy.HTTPS_PROXY;
  }
  if (options.proxyExclude !== undefined) proxy.NO_PROXY = options.proxyExclude;
  return { version, namespace, image, runId, facts, features, revision: catalog.revision?.id ?? null, fleet, nodeSelector, reportConfigMap, caConfigMap, bundleClaim, proxy };
}

export async function run({ options: given, context }: Invocation): Promise<number> {
  const options = given as unknown as K8sManifestOptions;
  const { version } = context;
  const input = manifestInput(options, version, new Date());
  // No registry holds a published image: a bare name would be pulled from Docker Hub, where it is not ours.
  if (options.image === undefined) context.stderr(`aml-netcheck: warning: no --image: the Job runs ${quote(input.image)}, which the cluster must be able to pull; build the image and push it to your registry (README: Container), then give --image\n`);
  await context.write(renderManifests(buildManifests(input), version));
  return 0;
}
