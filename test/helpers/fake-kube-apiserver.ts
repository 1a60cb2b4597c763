import https from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPki } from '../../src/simulate/pki.js';

/**
 * A kube-apiserver on loopback, HTTPS with a CA of its own, that speaks the few ConfigMap
 * calls aml-netcheck makes: POST to the collection, GET and PUT on one item. It checks the
 * bearer token and the path, keeps resourceVersions, and can refuse or conflict on purpose.
 */

export interface ApiCall {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: unknown;
}

export interface StoredConfigMap {
  metadata: { name: string; namespace: string; labels?: Record<string, string>; resourceVersion: string };
  data?: Record<string, string>;
}

export interface FakeApiServerOptions {
  readonly namespace?: string;
  /** The RBAC of the service account: which verbs it may use. */
  readonly allow?: ReadonlyArray<'create' | 'get' | 'update'>;
  /**
   * The RBAC of the service account as a Role's rules, in place of `allow`. As the RBAC
   * authorizer does: a rule allows a verb on a name when it lists the verb and either lists
   * no names or that name; a create has no name yet, so a rule with names never allows it.
   */
  readonly rules?: ReadonlyArray<{ readonly verbs: readonly string[]; readonly resourceNames?: readonly string[] }>;
  /** PUTs answered 409 before one goes through, as when another writer wins a race. */
  readonly conflicts?: number;
}

export interface FakeApiServer {
  readonly calls: ApiCall[];
  readonly configMaps: Map<string, StoredConfigMap>;
  /** Environment for the CLI: where the API server is and where its service-account files are. */
  readonly env: Record<string, string>;
  readonly token: string;
  close(): Promise<void>;
}

// Keys cost time; the servers of one test file share a CA.
const pki = createPki();

export async function startFakeApiServer(options: FakeApiServerOptions = {}): Promise<FakeApiServer> {
  const namespace = options.namespace ?? 'azureml';
  const allow = new Set(options.allow ?? ['create', 'get', 'update']);
  let conflicts = options.conflicts ?? 0;
  let version = 100;
  const token = `eyJhbGciOiJSUzI1NiJ9.fake-${Math.random().toString(36).slice(2)}`;
  const credentials = pki.issue({ names: ['127.0.0.1'] });
  const calls: ApiCall[] = [];
  const configMaps = new Map<string, StoredConfigMap>();
  const collection = `/api/v1/namespaces/${namespace}/configmaps`;

  const server = https.createServer({ cert: credentials.cert, key: credentials.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body: unknown = text === '' ? undefined : JSON.parse(text);
      calls.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body });
      const answer = (status: number, value: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      };
      const status = (code: number, reason: string, message: string): void => answer(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message });
      if (req.headers.authorization !== `Bearer ${token}`) return status(401, 'Unauthorized', 'Unauthorized');
      const item = req.url?.startsWith(`${collection}/`) ? decodeURIComponent(req.url.slice(collection.length + 1)) : null;
      const verb = req.method === 'POST' && req.url === collection ? 'create' : req.method === 'GET' && item ? 'get' : req.method === 'PUT' && item ? 'update' : null;
      if (verb === null) return status(404, 'NotFound', `the server could not find the requested resource (${req.method} ${req.url})`);
      const permitted = options.rules ? options.rules.some((rule) => rule.verbs.includes(verb) && (rule.resourceNames === undefined || (verb !== 'create' && item !== null && rule.resourceNames.includes(item)))) : allow.has(verb);
      if (!permitted) return status(403, 'Forbidden', `configmaps is forbidden: User "system:serviceaccount:${namespace}:aml-netcheck" cannot ${verb} resource "configmaps" in API group "" in the namespace "${namespace}"`);
      const sent = body as StoredConfigMap | undefined;
      if (verb === 'create') {
        const name = sent?.metadata?.name ?? '';
        if (configMaps.has(name)) return status(409, 'AlreadyExists', `configmaps "${name}" already exists`);
        const stored = { ...sent, metadata: { ...sent?.metadata, name, namespace, resourceVersion: String(++version) } } as StoredConfigMap;
        configMaps.set(name, stored);
        return answer(201, stored);
      }
      const current = configMaps.get(item as string);
      if (current === undefined) return status(404, 'NotFound', `configmaps "${item}" not found`);
      if (verb === 'get') return answer(200, current);
      if (conflicts > 0 || sent?.metadata?.resourceVersion !== current.metadata.resourceVersion) {
        conflicts = Math.max(0, conflicts - 1);
        current.metadata.resourceVersion = String(++version);
        return status(409, 'Conflict', `Operation cannot be fulfilled on configmaps "${item}": the object has been modified; please apply your changes to the latest version and try again`);
      }
      const stored = { ...sent, metadata: { ...sent.metadata, namespace, resourceVersion: String(++version) } } as StoredConfigMap;
      configMaps.set(item as string, stored);
      return answer(200, stored);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-serviceaccount-'));
  writeFileSync(path.join(dir, 'token'), `${token}\n`);
  writeFileSync(path.join(dir, 'ca.crt'), pki.trusted.cert);
  writeFileSync(path.join(dir, 'namespace'), namespace);
  const { port } = server.address() as AddressInfo;
  return {
    calls,
    configMaps,
    token,
    env: { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port), AML_NETCHECK_SERVICE_ACCOUNT_DIR: dir },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
