import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Credentials {
  /** PEM: the leaf first, then the chain the server sends. */
  readonly cert: string;
  readonly key: string;
}

export interface Authority {
  readonly cert: string;
  readonly subject: string;
}

export interface LeafRequest {
  /** DNS names or IP addresses for the SAN; the first is also the CN. */
  readonly names: readonly string[];
  readonly issuer?: 'trusted' | 'interception';
  /** Valid only in January 2020. */
  readonly expired?: boolean;
  /** Append the issuing CA to the chain the server presents. */
  readonly withChain?: boolean;
}

export interface TestPki {
  /** The CA tests pass to the probers as an extra trusted CA. */
  readonly trusted: Authority;
  /** A CA nobody trusts, like the one a TLS-inspecting firewall signs with. */
  readonly interception: Authority;
  issue(request: LeafRequest): Promise<Credentials>;
  selfSigned(name: string): Promise<Credentials>;
  cleanup(): Promise<void>;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
export const TRUSTED_CA_SUBJECT = 'Netcheck Test Root CA';
export const INTERCEPTION_CA_SUBJECT = 'Contoso Egress Inspection CA';

/** Generates a throwaway PKI with the openssl CLI in a temp dir, fresh for each test run. */
export async function createPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'netcheck-pki-'));
  const path = (name: string): string => join(dir, name);
  let serial = 1;

  const makeCa = async (name: string, subject: string): Promise<Authority> => {
    await run('openssl', [
      'req', '-x509', ...EC_KEY,
      '-keyout', path(`${name}.key`), '-out', path(`${name}.crt`),
      '-days', '2', '-subj', subject,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    // `openssl ca` (needed for explicit validity dates) keeps a database per CA.
    await writeFile(path(`${name}.index`), '');
    await writeFile(path(`${name}.serial`), '1000\n');
    await writeFile(
      path(`${name}.cnf`),
      [
        '[ ca ]', 'default_ca = this', '[ this ]',
        `database = ${path(`${name}.index`)}`, `serial = ${path(`${name}.serial`)}`, `new_certs_dir = ${dir}`,
        'default_md = sha256', 'policy = anything', 'unique_subject = no', 'copy_extensions = none',
        '[ anything ]', 'commonName = supplied',
      ].join('\n'),
    );
    return { cert: await readFile(path(`${name}.crt`), 'utf8'), subject };
  };

  const trusted = await makeCa('trusted', `/CN=${TRUSTED_CA_SUBJECT}`);
  const interception = await makeCa('interception', `/CN=${INTERCEPTION_CA_SUBJECT}/O=Contoso Firewall`);

  const issue = async (request: LeafRequest): Promise<Credentials> => {
    const id = `leaf${serial++}`;
    const ca = request.issuer === 'interception' ? 'interception' : 'trusted';
    const [commonName] = request.names;
    if (commonName === undefined) throw new Error('a leaf needs at least one name');
    await run('openssl', ['req', '-new', ...EC_KEY, '-keyout', path(`${id}.key`), '-out', path(`${id}.csr`), '-subj', `/CN=${commonName}`]);
    await writeFile(path(`${id}.ext`), leafExtensions(request.names));
    const validity = request.expired === true ? ['-startdate', '20200101000000Z', '-enddate', '20200201000000Z'] : ['-days', '2'];
    await run('openssl', [
      'ca', '-batch', '-notext', '-config', path(`${ca}.cnf`),
      '-cert', path(`${ca}.crt`), '-keyfile', path(`${ca}.key`),
      '-in', path(`${id}.csr`), '-out', path(`${id}.crt`),
      '-extfile', path(`${id}.ext`), ...validity,
    ]);
    const leaf = await readFile(path(`${id}.crt`), 'utf8');
    const chain = request.withChain === true ? (ca === 'interception' ? interception.cert : trusted.cert) : '';
    return { cert: leaf + chain, key: await readFile(path(`${id}.key`), 'utf8') };
  };

  const selfSigned = async (name: string): Promise<Credentials> => {
    const id = `self${serial++}`;
    await writeFile(path(`${id}.ext`), leafExtensions([name]));
    await run('openssl', [
      'req', '-x509', ...EC_KEY, '-keyout', path(`${id}.key`), '-out', path(`${id}.crt`),
      '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=${subjectAltName([name])}`,
    ]);
    return { cert: await readFile(path(`${id}.crt`), 'utf8'), key: await readFile(path(`${id}.key`), 'utf8') };
  };

  return {
    trusted,
    interception,
    issue,
    selfSigned,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

function leafExtensions(names: readonly string[]): string {
  return [
    `subjectAltName=${subjectAltName(names)}`,
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth',
  ].join('\n');
}

function subjectAltName(names: readonly string[]): string {
  return names.map((name) => (net.isIP(name) === 0 ? `DNS:${name}` : `IP:${name}`)).join(',');
}
