import { lstatSync } from 'node:fs';
import type { BundleContext, Collector } from '../contract.js';
import { readOptionalSystemFile, underRoot } from '../read-file.js';

/** Variables that change how Node.js (and so aml-netcheck) trusts certificates or starts; proxies have their own file. */
const TRUST_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'NODE_TLS_REJECT_UNAUTHORIZED', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE'];

/** Where the Kubernetes downward API puts the pod's identity: environment variables the pod spec maps, or the docs' volume. */
const POD_FIELDS = {
  namespace: { variables: ['POD_NAMESPACE', 'K8S_POD_NAMESPACE', 'KUBERNETES_NAMESPACE'], files: ['/etc/podinfo/namespace', '/var/run/secrets/kubernetes.io/serviceaccount/namespace'] },
  name: { variables: ['POD_NAME', 'K8S_POD_NAME'], files: ['/etc/podinfo/name'] },
  node: { variables: ['NODE_NAME', 'K8S_NODE_NAME', 'KUBE_NODE_NAME'], files: ['/etc/podinfo/nodename'] },
} as const;

/** cgroup paths that give away a container runtime. */
const CGROUP_RUNTIMES: ReadonlyArray<[RegExp, string]> = [
  [/kubepods/, 'kubernetes'],
  [/docker/, 'docker'],
  [/libpod/, 'podman'],
  [/containerd|cri-containerd/, 'containerd'],
  [/\blxc\b/, 'lxc'],
];

function exists(context: BundleContext, path: string): boolean {
  try {
    lstatSync(underRoot(context.root, path));
    return true;
  } catch {
    return false;
  }
}

function firstOf(context: BundleContext, field: { readonly variables: readonly string[]; readonly files: readonly string[] }, problems: string[]): { value: string; from: string } | null {
  for (const name of field.variables) {
    const value = context.env[name];
    if (value !== undefined && value !== '') return { value, from: `$${name}` };
  }
  for (const file of field.files) {
    try {
      const value = readOptionalSystemFile(context.root, file, 4096)?.trim();
      if (value !== undefined && value !== '') return { value, from: file };
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return null;
}

function osRelease(context: BundleContext, problems: string[]): string | null {
  try {
    const text = readOptionalSystemFile(context.root, '/etc/os-release', 64 * 1024) ?? readOptionalSystemFile(context.root, '/usr/lib/os-release', 64 * 1024);
    if (text === null) return null;
    const pretty = /^PRETTY_NAME=("?)(.*)\1$/m.exec(text)?.[2];
    return pretty ?? null;
  } catch (error) {
    problems.push((error as Error).message);
    return null;
  }
}

function containerHints(context: BundleContext, problems: string[]): string[] {
  const hints: string[] = [];
  if (exists(context, '/.dockerenv')) hints.push('/.dockerenv exists (docker)');
  if (exists(context, '/run/.containerenv')) hints.push('/run/.containerenv exists (podman)');
  const declared = context.env['container'];
  if (declared !== undefined && declared !== '') hints.push(`$container=${declared}`);
  try {
    const cgroup = readOptionalSystemFile(context.root, '/proc/1/cgroup', 64 * 1024) ?? '';
    for (const [pattern, runtime] of CGROUP_RUNTIMES) if (pattern.test(cgroup)) hints.push(`/proc/1/cgroup names ${runtime}`);
  } catch (error) {
    problems.push((error as Error).message);
  }
  return hints;
}

export const systemCollector: Collector = {
  name: 'system',
  describes: 'OS and kernel, Node.js and aml-netcheck versions, whether this is a container or a Kubernetes pod (namespace, name, node), certificate-trust variables',
  collect: (context) => {
    const problems: string[] = [];
    const { system, env } = context;
    const hints = containerHints(context, problems);
    const inKubernetes = (env['KUBERNETES_SERVICE_HOST'] ?? '') !== '' || exists(context, '/var/run/secrets/kubernetes.io/serviceaccount');
    const pod = inKubernetes
      ? {
          namespace: firstOf(context, POD_FIELDS.namespace, problems),
          // A pod's host name is its name unless the spec says otherwise.
          name: firstOf(context, POD_FIELDS.name, problems) ?? { value: system.hostname(), from: 'host name' },
          node: firstOf(context, POD_FIELDS.node, problems),
        }
      : null;
    const variables = Object.fromEntries(TRUST_VARIABLES.filter((name) => env[name] !== undefined).map((name) => [name, env[name]]));
    const json = {
      hostname: system.hostname(),
      os: { type: system.osType(), distribution: osRelease(context, problems), kernel: system.kernel(), kernelVersion: system.kernelVersion(), arch: system.arch() },
      node: context.nodeVersion,
      amlNetcheck: context.toolVersion,
      container: { detected: hints.length > 0 || inKubernetes, hints },
      kubernetes: inKubernetes ? { pod } : null,
      variables,
    };
    return { files: [{ name: 'environment/system.json', content: { json } }], problems };
  },
};
