import { createHash } from 'node:crypto';
import { isObject } from '../io/json-input.js';
import type { CollectorOutcome } from './contract.js';

/** Bump when a reader of manifest.json would have to change. */
export const BUNDLE_FORMAT = 1;

export const MANIFEST_NAME = 'manifest.json';
export const README_NAME = 'README.txt';

export interface ManifestFile {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface Manifest {
  readonly bundleFormat: number;
  readonly tool: { readonly name: string; readonly version: string };
  readonly createdAt: string;
  /** The host the bundle was made on. */
  readonly host: string;
  /** The command line, redacted. */
  readonly command: readonly string[];
  readonly check: {
    readonly startedAt: string;
    readonly durationMs: number;
    readonly exitCode: number;
    readonly complete: boolean;
    readonly stoppedBy: string | null;
    readonly featuresBroken: readonly string[];
  };
  readonly collectors: readonly CollectorOutcome[];
  /** Every file of the bundle but this manifest. */
  readonly files: readonly ManifestFile[];
}

export function describeFile(name: string, bytes: Uint8Array): ManifestFile {
  return { name, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** What verify needs of a manifest; anything else is not a bundle this version can check. */
export function manifestProblem(value: unknown): string | null {
  if (!isObject(value)) return 'manifest.json is not a JSON object';
  const manifest = value as Partial<Manifest>;
  if (manifest.bundleFormat !== BUNDLE_FORMAT) return `manifest.json has bundleFormat ${JSON.stringify(manifest.bundleFormat)}; this version reads ${BUNDLE_FORMAT}`;
  if (!Array.isArray(manifest.files)) return 'manifest.json has no files list';
  for (const file of manifest.files as unknown[]) {
    const f = file as Partial<ManifestFile> | null;
    if (f === null || typeof f !== 'object' || typeof f.name !== 'string' || typeof f.size !== 'number' || typeof f.sha256 !== 'string') return 'manifest.json lists a file without name, size and sha256';
  }
  return null;
}
