/**
 * A service behind Azure Firewall for the redaction tests: every request gets the 470 deny
 * page, which echoes a SAS URL and the request's Authorization header, with a Server header
 * that carries a token. What reaches a report from it must come out redacted.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDnsServer } from '../../src/simulate/dns-server.js';
import { startHttpServer } from './servers.js';
import { loopbackNet } from './loopback.js';

type Test = { teardown(fn: () => unknown): void };

const SERVICE_PORT = 18480;

export const SAS_SIG = 'DenyPageSasSig7781Secret';
const BEARER = 'DenyPageBearerTok3nSecret';
export const HEADER_BEARER = 'HeaderBearerTok3nSecret';
const SECRETS = [SAS_SIG, BEARER, HEADER_BEARER];

/** The secrets of the service that are in `text`. */
export function leaked(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

export function scratch(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'amlnc-redact-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts the service and its DNS server on `.1` and `.2` of a loopback /24 of its own (the
 * service's catalog port is fixed) and writes a catalog for it into `dir`;
 * returns the flags of a check of it.
 */
export async function deniedService(t: Test, dir: string, catalogName = 'corp.yaml'): Promise<string[]> {
  const net = loopbackNet();
  const server = await startHttpServer(
    (_request, response) => {
      response.writeHead(470, { 'content-type': 'text/plain', server: `gateway Authorization: Bearer ${HEADER_BEARER}` });
      response.end(`HTTP request from 10.0.1.4:50812 to leaky.sim.test:${SERVICE_PORT}. Url: leaky.sim.test/c/b.txt?sv=2030-05-05&sig=${SAS_SIG}. Action: Deny. No rule matched. Authorization: Bearer ${BEARER}`);
    },
    undefined,
    { address: `${net}.2`, port: SERVICE_PORT },
  );
  t.teardown(() => server.close());
  const dns = await startDnsServer({ 'leaky.sim.test': { a: [`${net}.2`] } }, { address: `${net}.1` });
  t.teardown(() => dns.close());
  const catalog = join(dir, catalogName);
  writeFileSync(catalog, leakyCatalog(SERVICE_PORT, 'A service behind a firewall that denies it.'));
  return ['--catalog', catalog, '--features', 'leak-test', '--dns-server', `${dns.server.address}:${dns.server.port}`, '--allow-loopback-answers', '--retries', '0', '--timeout', '2s', '--no-progress'];
}

/** A user catalog of one feature, leak-test: leaky.sim.test on plain HTTP `port`. */
export function leakyCatalog(port: number, purpose: string): string {
  return [
    'section: corp-leaky',
    'title: Corp endpoints',
    'features:',
    '  - id: leak-test',
    '    name: Leaky service',
    'entries:',
    '  - pattern: leaky.sim.test',
    `    ports: ["http:${port}"]`,
    '    clouds: [public]',
    '    features: [leak-test]',
    `    purpose: ${JSON.stringify(purpose)}`,
    '',
  ].join('\n');
}

/** Unpacks with the system tar; returns the top folder. */
export function unpackBundle(file: string, into: string): string {
  execFileSync('tar', ['-xzf', file, '-C', into]);
  const tops = readdirSync(into).filter((name) => name.startsWith('aml-netcheck-') && !name.endsWith('.tar.gz'));
  if (tops.length !== 1) throw new Error(`expected one top folder, found ${tops.join(', ')}`);
  return join(into, tops[0] as string);
}
