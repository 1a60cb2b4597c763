/**
 * `k8s-manifest`: the manifests parse as YAML, validate against the Kubernetes API schemas
 * (kubernetes-models), hold the restricted pod security settings, carry the facts into the pod
 * intact, keep hostile values as data, and are what deploy/kubernetes/ holds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import YAML from 'yaml';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, ServiceAccount } from 'kubernetes-models/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { runCli } from '../helpers/cli.js';
import { sampleWorkspaceFlags } from '../helpers/sample-workspace.js';

const FACTS = [...sampleWorkspaceFlags(), '--compute-instance', 'ci2', '--private-endpoint', '--private-resources', 'storage,key-vault', '--custom-images'];

/** What deploy/kubernetes/ holds: each file is k8s-manifest's output for these flags. */
const DEPLOY_FILES: Record<string, string[]> = {
  'deploy/kubernetes/job.yaml': [...FACTS, '--run-id', 'example', '--image', 'myregistry.azurecr.io/aml-netcheck:0.1.0'],
  'deploy/kubernetes/fleet.yaml': [...FACTS, '--run-id', 'example', '--image', 'myregistry.azurecr.io/aml-netcheck:0.1.0', '--fleet', '3', '--node-selector', 'agentpool=gpu'],
};

type Doc = any;

const VALIDATORS: Record<string, (doc: Doc) => { validate(): void }> = {
  ServiceAccount: (doc) => new ServiceAccount(doc),
  ConfigMap: (doc) => new ConfigMap(doc),
  Role: (doc) => new Role(doc),
  RoleBinding: (doc) => new RoleBinding(doc),
  Job: (doc) => new Job(doc),
};

/** The image every test names, unless it gives its own: without one k8s-manifest warns. */
const IMAGE = 'myregistry.azurecr.io/aml-netcheck:0.1.0';

async function manifests(t: Test, args: readonly string[]): Promise<Doc[]> {
  const run = await runCli(['k8s-manifest', ...(args.includes('--image') ? [] : ['--image', IMAGE]), ...args], { forbidNetwork: true });
  t.equal(run.stderr, '', 'nothing on stderr');
  t.equal(run.code, 0);
  const documents = YAML.parseAllDocuments(run.stdout);
  for (const document of documents) t.same(document.errors, [], 'parses as YAML');
  return documents.map((document) => document.toJS() as Doc);
}

const byKind = (docs: readonly Doc[], kind: string): Doc[] => docs.filter((doc) => doc.kind === kind);
const jobOf = (docs: readonly Doc[]): Doc => byKind(docs, 'Job')[0];

function validate(t: Test, docs: readonly Doc[]): void {
  for (const doc of docs) {
    const make = VALIDATORS[doc.kind as string];
    t.ok(make, `a known kind (${String(doc.kind)})`);
    if (make) t.doesNotThrow(() => make(doc).validate(), `${String(doc.kind)} ${String(doc.metadata?.name)} is valid for the Kubernetes API`);
  }
}

const COMPLETION_INDEX = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/** What the kubelet does to args: $(VAR) becomes the variable's value, from the ConfigMap or the downward API. */
function expand(args: readonly string[], env: Record<string, string>): string[] {
  return args.map((arg) => arg.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => env[name] ?? whole));
}

function containerEnv(docs: readonly Doc[], downward: Record<string, string> = {}): Record<string, string> {
  const facts = byKind(docs, 'ConfigMap').find((doc) => doc.metadata.name === 'aml-netcheck-facts');
  const env: Record<string, string> = {};
  for (const variable of jobOf(docs).spec.template.spec.containers[0].env as Doc[]) {
    const ref = variable.valueFrom?.configMapKeyRef;
    if (ref && facts.data?.[ref.key] !== undefined) env[variable.name] = facts.data[ref.key];
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (field && downward[field] !== undefined) env[variable.name] = downward[field];
  }
  return env;
}

t.test('one Job: valid manifests, restricted pod security, RBAC limited to the report ConfigMap', async (t) => {
  const docs = await manifests(t, [...FACTS, '--run-id', 'r1']);
  t.same(
    docs.map((doc) => doc.kind),
    ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'ConfigMap', 'Job'],
  );
  validate(t, docs);
  t.ok(
    docs.every((doc) => doc.metadata.namespace === 'azureml'),
    'the namespace of the Azure ML extension',
  );

  const job = jobOf(docs);
  t.equal(job.metadata.name, 'aml-netcheck-r1');
  t.match(job.spec, { backoffLimit: 1, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 86400 });
  t.same(job.spec.podFailurePolicy.rules[0], { action: 'FailJob', onExitCodes: { containerName: 'aml-netcheck', operator: 'In', values: [1, 2, 3] } }, 'a report is a result: no retry');
  const pod = job.spec.template.spec;
  t.match(pod, { restartPolicy: 'Never', serviceAccountName: 'aml-netcheck', securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } } });
  t.notOk(pod.affinity, 'one pod, anywhere');
  const container = pod.containers[0];
  t.same(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  t.same(container.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }]);
  t.same(pod.volumes, [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  t.same(container.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '256Mi' } });
  t.same(
    container.env.filter((v: Doc) => /PROXY/.test(v.name)).map((v: Doc) => [v.name, v.valueFrom.configMapKeyRef.optional]),
    [
      ['HTTPS_PROXY', true],
      ['HTTP_PROXY', true],
      ['NO_PROXY', true],
    ],
  );
  t.same(container.args.slice(-6), ['-o', 'json', '--k8s-configmap', 'aml-netcheck-report', '--k8s-label', 'aml-netcheck/run=r1']);

  const [role] = byKind(docs, 'Role');
  t.same(role.rules, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['aml-netcheck-report'], verbs: ['get', 'update'] }], 'get and update on the report ConfigMap alone, no create');
  const report = byKind(docs, 'ConfigMap').find((doc) => doc.metadata.name === 'aml-netcheck-report');
  t.notOk('data' in report, 'made empty, so that applying again never wipes a report');
  t.match(report.metadata.labels, { 'aml-netcheck/run': 'r1', 'app.kubernetes.io/component': 'report' });
  t.same(byKind(docs, 'RoleBinding')[0].subjects, [{ kind: 'ServiceAccount', name: 'aml-netcheck', namespace: 'azureml' }]);
  const facts = byKind(docs, 'ConfigMap').find((doc) => doc.metadata.name === 'aml-netcheck-facts');
  t.notOk(facts.metadata.labels['aml-netcheck/run'], 'the facts are no report of the run');
});

t.test('the facts reach the pod intact: the expanded args list the same targets as the flags', async (t) => {
  const docs = await manifests(t, [...FACTS, '--run-id', 'r1', '--features', 'workspace-api,workspace-storage']);
  const args = expand(jobOf(docs).spec.template.spec.containers[0].args, containerEnv(docs));
  t.equal(args[0], 'check');
  t.notMatch(args.join(' '), /\$\(/, 'every $(VAR) has a value');
  const factArgs = args.slice(1, args.indexOf('-o'));
  const inPod = await runCli(['list', ...factArgs, '-o', 'json'], { forbidNetwork: true });
  const here = await runCli(['list', ...FACTS, '--features', 'workspace-api,workspace-storage', '-o', 'json'], { forbidNetwork: true });
  t.equal(inPod.code, 0, inPod.stderr);
  t.equal(inPod.stdout, here.stdout);
  t.ok((JSON.parse(here.stdout) as { targets: unknown[] }).targets.length > 5);
});

t.test('--fleet N: an Indexed Job, one pod per node, each writing a ConfigMap named with its node', async (t) => {
  const docs = await manifests(t, ['--region', 'westus2', '--run-id', 'f1', '--fleet', '4', '--node-selector', 'agentpool=gpu', '--node-selector', 'kubernetes.io/os=linux', '--namespace', 'ml-jobs']);
  validate(t, docs);
  t.same(
    docs.map((doc) => doc.kind),
    ['ServiceAccount', 'Role', 'RoleBinding', 'ConfigMap', 'Job'],
    'no report ConfigMap made beforehand: the nodes are not known yet',
  );
  t.ok(docs.every((doc) => doc.metadata.namespace === 'ml-jobs'));
  const job = jobOf(docs);
  t.match(job.spec, { completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimitPerIndex: 1 });
  t.equal(job.spec.podFailurePolicy.rules[0].action, 'FailIndex', 'a node that finds a blocked endpoint does not stop the others');
  const pod = job.spec.template.spec;
  t.same(pod.nodeSelector, { agentpool: 'gpu', 'kubernetes.io/os': 'linux' });
  t.same(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, [{ labelSelector: { matchLabels: { 'aml-netcheck/run': 'f1' } }, topologyKey: 'kubernetes.io/hostname' }]);
  t.same(job.spec.template.metadata.labels['aml-netcheck/run'], 'f1', 'the pods carry the label their anti-affinity selects');
  const env = containerEnv(docs, { 'spec.nodeName': 'aks-gpu-12345678-vmss000002', [COMPLETION_INDEX]: '2' });
  const args = expand(pod.containers[0].args, env);
  t.same(args.slice(args.indexOf('--k8s-configmap')), ['--k8s-configmap', 'aml-netcheck-f1-2', '--k8s-label', 'aml-netcheck/run=f1', '--k8s-label', 'aml-netcheck/node=aks-gpu-12345678-vmss000002'], 'named by the index, labelled with the node');
  t.same(
    byKind(docs, 'Role')[0].rules,
    [
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['aml-netcheck-f1-0', 'aml-netcheck-f1-1', 'aml-netcheck-f1-2', 'aml-netcheck-f1-3'], verbs: ['get', 'update'] },
    ],
    "fleet pods create their reports, and may replace only the fleet's own (a pod started again after an eviction finds its report there)",
  );
});

t.test('--bundle-claim: the pod runs bundle and keeps the bundle on the claim, one file per node in a fleet', async (t) => {
  const single = await manifests(t, ['--region', 'westus2', '--run-id', 'b1', '--bundle-claim', 'netcheck-bundles']);
  validate(t, single);
  const pod = jobOf(single).spec.template.spec;
  t.same(pod.containers[0].args.slice(0, 3), ['bundle', '--out', '/bundles/aml-netcheck-b1.tar.gz'], 'bundle, not check, writing onto the volume');
  t.ok(pod.containers[0].args.includes('--k8s-configmap'), 'the report still goes to its ConfigMap');
  t.match(pod.volumes, [{ name: 'tmp' }, { name: 'bundles', persistentVolumeClaim: { claimName: 'netcheck-bundles' } }]);
  t.match(pod.containers[0].volumeMounts, [{ mountPath: '/tmp' }, { name: 'bundles', mountPath: '/bundles' }]);
  t.equal(pod.containers[0].securityContext.readOnlyRootFilesystem, true, 'the root stays read-only: the bundle goes to the volume');
  const fleet = await manifests(t, ['--region', 'westus2', '--run-id', 'b2', '--fleet', '3', '--bundle-claim', 'netcheck-bundles', '--bundle-claim-rwx']);
  validate(t, fleet);
  const args = expand(jobOf(fleet).spec.template.spec.containers[0].args, containerEnv(fleet, { 'spec.nodeName': 'aks-pool1-0' }));
  t.same(args.slice(0, 3), ['bundle', '--out', '/bundles/aml-netcheck-b2-aks-pool1-0.tar.gz'], 'each node its own file');
  const without = jobOf(await manifests(t, ['--region', 'westus2'])).spec.template.spec;
  t.equal(without.containers[0].args[0], 'check', 'without a claim the pod runs check');
  t.notOk(without.volumes.some((v: { name: string }) => v.name === 'bundles'));
});

t.test('a CA bundle and a proxy for clusters behind TLS inspection', async (t) => {
  const docs = await manifests(t, ['--region', 'westus2', '--run-id', 'r1', '--ca-configmap', 'corp-ca', '--proxy', 'http://proxy.corp:3128', '--proxy-exclude', '.svc,.cluster.local,10.0.0.0/8']);
  validate(t, docs);
  const pod = jobOf(docs).spec.template.spec;
  t.same(pod.volumes[1], { name: 'ca', configMap: { name: 'corp-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] } });
  t.same(pod.containers[0].volumeMounts[1], { name: 'ca', mountPath: '/etc/aml-netcheck/ca', readOnly: true });
  t.same(pod.containers[0].args.slice(-2), ['--ca-file', '/etc/aml-netcheck/ca/ca.crt']);
  t.match(containerEnv(docs), { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128', NO_PROXY: '.svc,.cluster.local,10.0.0.0/8' });
});

t.test('hostile values stay data, or are refused', async (t) => {
  const exclude = 'a: {b: [c]}\n\'"\\';
  const docs = await manifests(t, ['--region', 'westus2', '--run-id', 'r1', '--proxy-exclude', exclude]);
  t.equal(docs.length, 6, 'no document added');
  validate(t, docs);
  for (const image of ['myregistry.azurecr.io:5000/team/aml-netcheck:0.1.0', `aml-netcheck@sha256:${'a'.repeat(64)}`]) {
    t.equal(jobOf(await manifests(t, ['--region', 'westus2', '--image', image])).spec.template.spec.containers[0].image, image, `${image}: taken whole`);
  }
  t.equal(containerEnv(docs)['NO_PROXY'], exclude);

  const refused: Array<[string[], RegExp]> = [
    [['--image', 'evil: {}\n- kind: Secret\n---\nkind: ClusterRoleBinding #'], /^aml-netcheck: --image: 'evil: \{\}\\n- kind: Secret.*' is not an image reference/],
    [['--image', 'x"; rm'], /^aml-netcheck: --image: 'x"; rm' is not an image reference/],
    [['--image', ''], /^aml-netcheck: --image: '' is not an image reference/],
    [['--workspace-name', 'ws: {}'], /^aml-netcheck: --workspace-name: 'ws: \{\}' is not a workspace name/],
    [['--workspace-name', 'ws\nkind: Secret'], /^aml-netcheck: --workspace-name: 'ws\\nkind: Secret' is not a workspace name/],
    [['--namespace', 'azureml\nkind: Secret'], /^aml-netcheck: --namespace: 'azureml\\nkind: Secret' is not a namespace name/],
    [['--run-id', 'r1: {}'], /^aml-netcheck: --run-id: 'r1: \{\}' is not a run id/],
    [['--fleet', '0'], /^aml-netcheck: --fleet: '0' is not a number of nodes from 1 to 5000/],
    [['--fleet', 'all'], /^aml-netcheck: --fleet: 'all' is not a number of nodes/],
    [['--node-selector', 'agentpool'], /^aml-netcheck: --node-selector: 'agentpool' is not a Kubernetes label key=value/],
    [['--node-selector', 'pool=a: {}'], /^aml-netcheck: --node-selector: 'pool=a: \{\}' is not a Kubernetes label/],
    [['--k8s-configmap', 'Report'], /^aml-netcheck: --k8s-configmap: 'Report' is not a ConfigMap name/],
    [['--ca-configmap', 'ca\n'], /^aml-netcheck: --ca-configmap: 'ca\\n' is not a ConfigMap name/],
    [['--proxy', 'http://user:s3cret@proxy:3128'], /^aml-netcheck: --proxy: a proxy URL with credentials would be stored in clear in a ConfigMap/],
    [['--catalog', 'probes/azure-ad.yaml'], /^aml-netcheck: --catalog: a catalog file cannot travel into the pod/],
  ];
  for (const [args, message] of refused) {
    const run = await runCli(['k8s-manifest', '--region', 'westus2', ...args], { forbidNetwork: true });
    t.equal(run.code, 2, args.join(' '));
    t.match(run.stderr, message, args.join(' '));
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    t.notMatch(run.stderr, /s3cret/);
    t.equal(run.stdout, '');
  }
});

t.test('the validator catches a manifest Kubernetes would refuse', async (t) => {
  const docs = await manifests(t, ['--region', 'westus2', '--run-id', 'r1']);
  const job = jobOf(docs);
  job.spec.template.spec.containers[0].securityContext.runAsNonRoot = 'yes';
  t.throws(() => new Job(job).validate(), /runAsNonRoot must be boolean/);
});

t.test('deploy/kubernetes/ holds what k8s-manifest prints for the example workspace', async (t) => {
  for (const [file, args] of Object.entries(DEPLOY_FILES)) {
    const run = await runCli(['k8s-manifest', ...args], { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    const path = fileURLToPath(new URL(`../../${file}`, import.meta.url));
    // AML_NETCHECK_WRITE_MANIFESTS=1 npx tap test/cli/k8s-manifest.test.ts regenerates them.
    if (process.env['AML_NETCHECK_WRITE_MANIFESTS'] === '1') writeFileSync(path, run.stdout);
    t.equal(readFileSync(path, 'utf8'), run.stdout, `${file} is k8s-manifest ${args.join(' ')}`);
  }
});

t.test('without --image the manifests come, with a warning that the image must be pushed first', async (t) => {
  const run = await runCli(['k8s-manifest', '--region', 'westus2'], { forbidNetwork: true });
  t.equal(run.code, 0);
  t.match(run.stderr, /^aml-netcheck: warning: no --image: the Job runs 'aml-netcheck:\d+\.\d+\.\d+', which the cluster must be able to pull/);
  t.equal(run.stderr.trim().split('\n').length, 1, 'one line');
  t.match(run.stdout, /image: aml-netcheck:\d+\.\d+\.\d+\n/);
});

t.test('a fleet with one claim: refused unless the claim is ReadWriteMany; the pod group owns the volume (fsGroup)', async (t) => {
  const refused = await runCli(['k8s-manifest', '--image', IMAGE, '--region', 'westus2', '--fleet', '3', '--bundle-claim', 'netcheck-bundles'], { forbidNetwork: true });
  t.equal(refused.code, 2);
  t.match(refused.stderr, /^aml-netcheck: --bundle-claim: 3 pods on 3 nodes would mount 'netcheck-bundles' at once: a ReadWriteOnce disk .* fails with Multi-Attach\. Use a ReadWriteMany claim .* add --bundle-claim-rwx to say so\n$/);
  const lone = await runCli(['k8s-manifest', '--image', IMAGE, '--region', 'westus2', '--bundle-claim-rwx'], { forbidNetwork: true });
  t.equal(lone.code, 2);
  t.match(lone.stderr, /^aml-netcheck: --bundle-claim-rwx: says the --bundle-claim is ReadWriteMany: give --bundle-claim too\n$/);
  const single = await manifests(t, ['--region', 'westus2', '--bundle-claim', 'netcheck-bundles']);
  t.match(jobOf(single).spec.template.spec.securityContext, { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, fsGroupChangePolicy: 'OnRootMismatch' }, 'a root-owned volume becomes writable by uid 1000');
});

t.test('yes-or-no facts live in the facts ConfigMap, so editing it changes what the pods check', async (t) => {
  const docs = await manifests(t, ['--region', 'westus2', '--storage-account', 'st1', '--private-endpoint', '--hbi', '--key-vault', 'kv1']);
  const container = jobOf(docs).spec.template.spec.containers[0];
  t.notOk(container.args.includes('--private-endpoint') || container.args.includes('--hbi'), 'no yes-or-no fact is fixed in the container args');
  const facts = byKind(docs, 'ConfigMap').find((doc) => doc.metadata.name === 'aml-netcheck-facts');
  t.match(facts.data, { 'private-endpoint': '--private-endpoint', hbi: '--hbi', 'custom-images': '--no-custom-images' });
  const listIn = async (data: Record<string, string>): Promise<string> => {
    const edited = docs.map((doc) => (doc === facts ? { ...facts, data: { ...facts.data, ...data } } : doc));
    const args = expand(container.args, containerEnv(edited));
    const run = await runCli(['list', ...args.slice(1, args.indexOf('-o')), '-o', 'json'], { forbidNetwork: true });
    t.equal(run.code, 0, run.stderr);
    return run.stdout;
  };
  const asMade = await listIn({});
  const here = await runCli(['list', '--region', 'westus2', '--storage-account', 'st1', '--private-endpoint', '--hbi', '--key-vault', 'kv1', '-o', 'json'], { forbidNetwork: true });
  t.equal(asMade, here.stdout, 'as made, the pod checks what the flags said');
  const flipped = await listIn({ 'private-endpoint': '--no-private-endpoint', hbi: '--no-hbi' });
  const public_ = await runCli(['list', '--region', 'westus2', '--storage-account', 'st1', '--key-vault', 'kv1', '-o', 'json'], { forbidNetwork: true });
  t.equal(flipped, public_.stdout, 'flipped in the ConfigMap, the pod checks without a private endpoint and HBI');
  t.not(flipped, asMade);
});
