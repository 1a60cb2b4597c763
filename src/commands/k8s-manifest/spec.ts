import { Option } from 'commander';
import { collect } from '../shared/repeatable.js';
import type { CommandSpec } from '../shared/spec.js';
import { workspaceOptions, type WorkspaceOptionValues } from '../shared/workspace-options.js';

// Kept apart from run.ts so that building the CLI does not load yaml or the catalog.
export interface K8sManifestOptions extends WorkspaceOptionValues {
  namespace: string;
  image?: string;
  runId?: string;
  fleet?: string;
  nodeSelector?: string[];
  k8sConfigmap?: string;
  caConfigmap?: string;
  bundleClaim?: string;
  bundleClaimRwx?: boolean;
  proxy?: string;
  proxyExclude?: string;
}

const K8S_MANIFEST_EXAMPLE = `
Examples:
  $ aml-netcheck k8s-manifest --workspace-json ws.json --image myacr.azurecr.io/aml-netcheck:0.1.0 | kubectl apply -f -
  $ aml-netcheck k8s-manifest --region westus2 --storage-account st1 --fleet 12 --node-selector agentpool=gpu | kubectl apply -f -
  $ kubectl get configmap -n azureml -l aml-netcheck/run=<run id> -o json

One pod checks from one node and writes its report into the ConfigMap aml-netcheck-report;
with --fleet N, N pods check from N different nodes, each writing <name>-<index> labelled
with its node. Facts, yes-or-no facts included (--hbi or --no-hbi), are read from the
ConfigMap aml-netcheck-facts: edit it and start the Job again to change them.`;

export const K8S_MANIFEST: CommandSpec = {
  name: 'k8s-manifest',
  summary: 'print the Kubernetes manifests (ServiceAccount, RBAC, facts ConfigMap, Job) that run check in a cluster, for kubectl apply -f -',
  options: () => [
    ...workspaceOptions(),
    new Option('--namespace <name>', 'namespace of the Job (the Azure ML extension installs into azureml)').default('azureml'),
    new Option('--image <ref>', 'the aml-netcheck image, as your cluster pulls it (default: aml-netcheck:<version>)'),
    new Option('--run-id <id>', 'names the Job and labels its reports (default: the time now, e.g. 20250101-120000)'),
    new Option('--fleet <n>', 'run on N nodes, one pod on each (an Indexed Job with pod anti-affinity)'),
    new Option('--node-selector <key=value>', 'only nodes with this label, e.g. agentpool=gpu (repeatable)').argParser(collect),
    new Option('--k8s-configmap <name>', 'the report ConfigMap (default: aml-netcheck-report; with --fleet, aml-netcheck-<run id>, then -<index>)'),
    new Option('--ca-configmap <name>', 'a ConfigMap whose ca.crt the checks trust too (TLS inspection)'),
    new Option('--bundle-claim <name>', 'a PersistentVolumeClaim to keep a support bundle on: the pod runs bundle instead of check, writing /bundles/aml-netcheck-<run id>[-<node>].tar.gz'),
    new Option('--bundle-claim-rwx', 'the --bundle-claim is ReadWriteMany (Azure Files, NFS), so every pod of a --fleet may mount it'),
    new Option('--proxy <url>', 'HTTPS_PROXY and HTTP_PROXY for the checks (no credentials: a ConfigMap is not secret)'),
    new Option('--proxy-exclude <hosts>', 'NO_PROXY for the checks'),
  ],
  examples: K8S_MANIFEST_EXAMPLE,
  load: () => import('./run.js'),
};
