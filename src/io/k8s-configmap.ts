import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent, request } from 'undici';
import { InputError } from '../model/errors.js';
import { quote, truncate } from '../model/text.js';

/**
 * Writes a report into a ConfigMap through the Kubernetes API from inside a pod, the way every
 * in-cluster client does: the service account's token, CA and namespace from the files the
 * kubelet mounts, the API server from KUBERNETES_SERVICE_HOST/PORT. A handful of calls do not
 * justify a Kubernetes client library.
 */

const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** Labels on every report ConfigMap, so `kubectl get configmap -l` finds them. */
const REPORT_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/name': 'aml-netcheck',
  'app.kubernetes.io/component': 'report',
};

export interface InCluster {
  readonly apiServer: string;
  readonly token: string;
  readonly ca: string;
  readonly namespace: string;
}

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const LABEL_NAME = /^(?=.{1,63}$)[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:(?=.{1,63}$)[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)?$/;

/** A ConfigMap name is a DNS subdomain: at most 253 lower-case letters, digits, `-` and `.`. */
export function checkConfigMapName(name: string, where: string): string {
  if (!DNS_SUBDOMAIN.test(name)) throw new InputError(where, `${quote(name)} is not a ConfigMap name (lower-case letters, digits, '-' and '.', at most 253, starting and ending with a letter or digit)`);
  return name;
}

/** `key=value` as Kubernetes accepts labels: an optional DNS-subdomain prefix, a name and a value of at most 63 characters. */
export function parseLabel(text: string, where: string): [string, string] {
  const equals = text.indexOf('=');
  const key = equals < 0 ? text : text.slice(0, equals);
  const value = equals < 0 ? '' : text.slice(equals + 1);
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? null : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (equals < 0 || (prefix !== null && !DNS_SUBDOMAIN.test(prefix)) || !LABEL_NAME.test(name) || !LABEL_VALUE.test(value)) {
    throw new InputError(where, `${quote(text)} is not a Kubernetes label key=value (key: [prefix/]name of letters, digits, '-', '_', '.'; value: at most 63 of them)`);
  }
  return [key, value];
}

/**
 * The pod's service account, read before any check starts: outside a pod there is no token,
 * and that is bad input, not something to find out after the run.
 */
export function inClusterConfig(env: NodeJS.ProcessEnv, where: string): InCluster {
  const dir = env['AML_NETCHECK_SERVICE_ACCOUNT_DIR'] ?? SERVICE_ACCOUNT_DIR;
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const read = (file: string): string => {
    try {
      return readFileSync(path.join(dir, file), 'utf8').trim();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new InputError(where, `not running in a Kubernetes pod with a service account: cannot read ${quote(path.join(dir, file))} (${code})`);
    }
  };
  const token = read('token');
  const ca = read('ca.crt');
  const namespace = read('namespace');
  if (host === undefined || host === '') throw new InputError(where, 'not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set');
  if (!/^\d{1,5}$/.test(port)) throw new InputError(where, `KUBERNETES_SERVICE_PORT ${quote(port)} is not a port number`);
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { apiServer: `https://${authority}`, token, ca, namespace };
}

export interface ConfigMapWrite {
  readonly name: string;
  readonly data: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

interface ApiAnswer {
  readonly status: number;
  readonly body: string;
}

/** What went wrong, in one line: the HTTP status and the API server's own message. */
export class ConfigMapWriteError extends Error {
  override name = 'ConfigMapWriteError';
}

function statusMessage(answer: ApiAnswer): string {
  let message = '';
  try {
    const status = JSON.parse(answer.body) as { message?: unknown };
    if (typeof status.message === 'string') message = status.message;
  } catch {
    message = answer.body;
  }
  return message === '' ? `HTTP ${answer.status}` : `HTTP ${answer.status}: ${truncate(message.replace(/\s+/g, ' '), 200)}`;
}

/**
 * Creates the ConfigMap, or replaces it when it exists (409) or when the service account may
 * only update it (403 on create: the manifest made it beforehand and grants get and update on
 * that name alone). A replace that loses a race (409 on PUT) is tried once more.
 */
export async function writeConfigMap(cluster: InCluster, configMap: ConfigMapWrite, timeoutMs = 10_000): Promise<'created' | 'replaced'> {
  const dispatcher = new Agent({ connect: { ca: cluster.ca, timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const collection = `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/configmaps`;
  const item = `${collection}/${encodeURIComponent(configMap.name)}`;
  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<ApiAnswer> => {
    const response = await request(`${cluster.apiServer}${url}`, {
      dispatcher,
      method,
      headers: { authorization: `Bearer ${cluster.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.statusCode, body: await response.body.text() };
  };
  const manifest = (resourceVersion?: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: configMap.name, namespace: cluster.namespace, labels: { ...REPORT_LABELS, ...configMap.labels }, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    data: configMap.data,
  });
  const replace = async (): Promise<ApiAnswer> => {
    const current = await call('GET', item);
    if (current.status !== 200) return current;
    const resourceVersion = (JSON.parse(current.body) as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
    return call('PUT', item, manifest(resourceVersion));
  };
  const where = `ConfigMap ${cluster.namespace}/${configMap.name}`;
  try {
    const created = await call('POST', collection, manifest());
    if (created.status === 201 || created.status === 200) return 'created';
    if (created.status !== 409 && created.status !== 403) throw new ConfigMapWriteError(`cannot create ${where}: ${statusMessage(created)}`);
    let replaced = await replace();
    if (replaced.status === 409) replaced = await replace();
    if (replaced.status === 200 || replaced.status === 201) return 'replaced';
    if (created.status === 403) throw new ConfigMapWriteError(`cannot write ${where}: create: ${statusMessage(created)}; replace: ${statusMessage(replaced)}`);
    throw new ConfigMapWriteError(`cannot replace ${where}: ${statusMessage(replaced)}`);
  } catch (error) {
    if (error instanceof ConfigMapWriteError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigMapWriteError(`cannot reach the Kubernetes API at ${cluster.apiServer} to write ${where}: ${code ?? (error as Error).message}`);
  } finally {
    await dispatcher.close();
  }
}
