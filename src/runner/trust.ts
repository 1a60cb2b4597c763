import { readFileSync } from 'node:fs';
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
  /**
   * Roots that count as public besides Node's own: only the root of a simulated Azure, named
   * by SIMULATED_ROOT_VARIABLE. Where a trusted chain ends decides the inspection warning,
   * not which file named its CA: a CA that is only in the machine's store, NODE_EXTRA_CA_CERTS
   * or --ca-file is trusted by this run, and still re-signs what pip, conda and Docker check
   * against their own bundles.
   */
  readonly publicRoots: string[];
}

/**
 * A file of CAs to trust and count as public roots, as if Node shipped them: how the tests
 * and a simulated Azure stand in for the real public roots. Not for real networks.
 */
export const SIMULATED_ROOT_VARIABLE = 'AML_NETCHECK_SIMULATED_ROOT_CA';

/** Reads the named CA files once; a bad one is an input error before any check. */
export function loadTrust(caFiles: readonly string[], env: NodeJS.ProcessEnv): Trust {
  const simulated = env[SIMULATED_ROOT_VARIABLE];
  const publicRoots = simulated ? readPems(simulated, SIMULATED_ROOT_VARIABLE) : [];
  return { extraCas: [...systemCas(), ...namedCas(caFiles, env), ...publicRoots], publicRoots };
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

/** The CAs named for this run or this process: trusted, but no more public than the machine's store. */
function namedCas(caFiles: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const pems: string[] = [];
  const extra = env['NODE_EXTRA_CA_CERTS'];
  if (extra) pems.push(...readPems(extra, 'NODE_EXTRA_CA_CERTS'));
  for (const file of caFiles) pems.push(...readPems(file, '--ca-file'));
  return pems;
}
