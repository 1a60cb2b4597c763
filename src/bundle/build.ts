import { shapeOf, type Redactor } from '../model/redact.js';
import { runCollectors, type BundleContext, type Collector, type CollectedFile } from './contract.js';
import { describeFile, BUNDLE_FORMAT, MANIFEST_NAME, README_NAME, type Manifest } from './manifest.js';
import { isSafeRelativeName } from './names.js';
import { packBundle, type PackedFile } from './pack.js';
import { renderReadme } from './readme.js';
import { reportCollectors } from './collectors/report.js';
import { logCollector } from './collectors/log.js';
import { factsCollector } from './collectors/facts.js';
import { catalogCollector } from './collectors/catalog.js';
import { allowListCollector } from './collectors/allow-list.js';
import { systemCollector } from './collectors/system.js';
import { hostsCollector, resolvConfCollector } from './collectors/dns.js';
import { interfacesCollector, routesCollector } from './collectors/network.js';
import { proxyCollector } from './collectors/proxy.js';
import { clockCollector } from './collectors/clock.js';
import { auditCollector } from './collectors/audit.js';

/** Everything a bundle holds besides README.txt and manifest.json, in the order README lists it. */
export function defaultCollectors(): Collector[] {
  return [...reportCollectors(), logCollector, factsCollector, catalogCollector, allowListCollector, systemCollector, resolvConfCollector, hostsCollector, interfacesCollector, routesCollector, proxyCollector, clockCollector, auditCollector];
}

export interface BundleInput {
  readonly context: BundleContext;
  readonly collectors: readonly Collector[];
  readonly redactor: Redactor;
  /** The command line as typed; redacted here. */
  readonly command: readonly string[];
  readonly createdAt: Date;
  readonly topFolder: string;
}

export interface Bundle {
  readonly bytes: Buffer;
  readonly manifest: Manifest;
}

/** The one way content gets into a bundle: through the redactor. */
function serialize(file: CollectedFile, redactor: Redactor): Uint8Array {
  const { content } = file;
  const text = 'json' in content ? `${JSON.stringify(redactor.value(content.json), null, 2)}\n` : 'ndjson' in content ? redactor.lines(content.ndjson) : 'renderedFromReport' in content ? content.renderedFromReport : redactor.text(content.text);
  return Buffer.from(text, 'utf8');
}

/**
 * What `bundle verify` reads in the manifest, and the tool's own words: a --redact pattern
 * that matched a file's name or checksum would break the bundle, and none is a secret.
 */
const MANIFEST_SHAPE = shapeOf({
  bundleFormat: true,
  tool: { name: true },
  createdAt: true,
  check: { startedAt: true, stoppedBy: true },
  collectors: { '*': { collector: true, status: true, files: true } },
});

/** Runs the collectors, redacts what they found, and packs it with README.txt and manifest.json. */
export async function buildBundle(input: BundleInput): Promise<Bundle> {
  const { context, redactor } = input;
  const { files, outcomes } = await runCollectors(input.collectors, context);
  const packed: PackedFile[] = [];
  const seen = new Set<string>([README_NAME, MANIFEST_NAME]);
  const renamed = new Map<string, string>();
  for (const file of files) {
    const name = file.nameWithoutOutside !== undefined && redactor.text(file.name) !== file.name ? file.nameWithoutOutside : file.name;
    renamed.set(file.name, name);
    // Names come from code, or are made safe by it; a bad one is a bug, kept out rather than packed.
    if (!isSafeRelativeName(name) || seen.has(name)) throw new TypeError(`collector file name ${JSON.stringify(name)} is unsafe or used twice`);
    seen.add(name);
    packed.push({ name, bytes: serialize(file, redactor) });
  }
  const { report } = context;
  const head = redactor.value<Omit<Manifest, 'files'>>(
    {
      bundleFormat: BUNDLE_FORMAT,
      tool: { name: 'aml-netcheck', version: context.toolVersion },
      createdAt: input.createdAt.toISOString(),
      host: context.system.hostname(),
      command: [...input.command],
      check: {
        startedAt: report.startedAt,
        durationMs: report.durationMs,
        exitCode: report.summary.exitCode,
        complete: report.summary.complete,
        stoppedBy: report.summary.stoppedBy,
        featuresBroken: report.summary.featuresBroken,
      },
      collectors: outcomes.map((outcome) => ({ ...outcome, files: outcome.files.map((name) => renamed.get(name) ?? name) })),
    },
    MANIFEST_SHAPE,
  );
  // Made of the redacted head and our own words alone: no text pass that could reach its structure.
  const readme = renderReadme(
    head,
    input.collectors,
    packed.map((f) => f.name),
  );
  packed.push({ name: README_NAME, bytes: Buffer.from(readme, 'utf8') });
  const manifest: Manifest = { ...head, files: packed.map((file) => describeFile(file.name, file.bytes)) };
  packed.push({ name: MANIFEST_NAME, bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8') });
  return { bytes: await packBundle(input.topFolder, packed, input.createdAt), manifest };
}
