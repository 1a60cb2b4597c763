import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { InputError } from '../model/errors.js';
import { quote } from '../model/text.js';

/** Debian's and Red Hat's bundles of the machine's trusted CAs. */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt'];
const PEM_RE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function readPems(file: string, where: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(where, `cannot read CA file ${quote(file)}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const pems = text.match(PEM_RE) ?? [];
  if (pems.length === 0) throw new InputError(where, `${quote(file)} holds no PEM certificate`);
  return pems;
}

/** What the TLS checks trust, read once per run. */
export interface Trust {
  /**
   * The CAs trusted beyond Node's bundled roots: the machine's own store (where admins add
   * their corporate CA), NODE_EXTRA_CA_CERTS and --ca-file. Node only reads
   * NODE_EXTRA_CA_CERTS into its default store, which an explicit `ca` list replaces, so we read it too.
   */
  readonly extraCas: string[];
  readonly isVouchedIssuer: (issuer: string) => boolean;
}

/** Reads the named CA files once; a bad one is an input error before any check. */
export function loadTrust(caFiles: readonly string[], env: NodeJS.ProcessEnv): Trust {
  const explicit = explicitCas(caFiles, env);
  return { extraCas: [...systemCas(), ...explicit], isVouchedIssuer: issuerVouching(explicit) };
}

function systemCas(): string[] {
  const pems: string[] = [];
  for (const bundle of SYSTEM_BUNDLES) {
    try {
      pems.push(...(readFileSync(bundle, 'utf8').match(PEM_RE) ?? []));
      break;
    } catch {
      // No bundle at this path on this distribution; try the next.
    }
  }
  return pems;
}

/** The CAs the user named on purpose, for this run or this process. */
function explicitCas(caFiles: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const pems: string[] = [];
  const extra = env['NODE_EXTRA_CA_CERTS'];
  if (extra) pems.push(...readPems(extra, 'NODE_EXTRA_CA_CERTS'));
  for (const file of caFiles) pems.push(...readPems(file, '--ca-file'));
  return pems;
}

/** A certificate's subject the way the TLS prober writes names: `CN=x, O=y`. */
function subjectOf(pem: string): string | null {
  try {
    return new X509Certificate(pem).subject.split('\n').join(', ');
  } catch {
    return null;
  }
}

/**
 * Whether an issuer vouches for a certificate on its own: one of Node's bundled public
 * roots or a CA the user named. A chain that ends anywhere else was trusted only because
 * an admin added its CA to this machine's store, which is what TLS inspection needs, and
 * what clients with their own CA bundles (pip, conda, Docker) do not have.
 *
 * The certificates are parsed on the first question, which most runs ask only after their
 * first handshake, while other checks are still waiting on the network.
 */
function issuerVouching(explicit: readonly string[]): (issuer: string) => boolean {
  let subjects: Set<string> | undefined;
  return (issuer) => {
    subjects ??= new Set([...rootCertificates, ...explicit].map(subjectOf).filter((s): s is string => s !== null));
    return subjects.has(issuer);
  };
}
