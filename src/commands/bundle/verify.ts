import { readFileSync, statSync } from 'node:fs';
import { describeErrno } from '../../io/errno.js';
import { InputError } from '../../model/errors.js';
import { escapeControl, quote } from '../../model/text.js';
import { NotABundle, verifyBundle } from '../../bundle/verify.js';
import type { Invocation } from '../shared/spec.js';

/** A bundle larger than this is not one aml-netcheck made. */
const MAX_BUNDLE_FILE_BYTES = 64 * 1024 * 1024;

/** `bundle verify FILE`: 0 intact, 1 a file differs (each named), 2 unreadable or not a bundle. */
export async function run({ args, context }: Invocation): Promise<number> {
  const file = args[0] as string;
  let bytes: Buffer;
  try {
    const stats = statSync(file);
    if (!stats.isFile()) throw new InputError(file, 'not a regular file');
    if (stats.size > MAX_BUNDLE_FILE_BYTES) throw new InputError(file, `larger than ${MAX_BUNDLE_FILE_BYTES / 1024 / 1024} MiB: not an aml-netcheck bundle`);
    bytes = readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `cannot read: ${describeErrno(error, 'no such file')}`);
  }
  let result: Awaited<ReturnType<typeof verifyBundle>>;
  try {
    result = await verifyBundle(bytes);
  } catch (error) {
    if (error instanceof NotABundle) throw new InputError(file, error.message);
    throw error;
  }
  const { manifest, problems } = result;
  // Every value below comes from the file: one line each, control characters shown escaped.
  const v = (value: unknown): string => escapeControl(String(value ?? '?'));
  const check = manifest.check as Partial<typeof manifest.check> | undefined;
  const broken = Array.isArray(check?.featuresBroken) ? check.featuresBroken : [];
  const collectors = Array.isArray(manifest.collectors) ? manifest.collectors : [];
  const lines = [
    `${quote(file)}: made by aml-netcheck ${v(manifest.tool?.version)} on ${v(manifest.host)} at ${v(manifest.createdAt)}`,
    `  command: ${v((manifest.command ?? []).join(' '))}`,
    `  check: exit ${v(check?.exitCode)}${check?.complete === false ? `, cut short (${v(check.stoppedBy)})` : ''}${broken.length > 0 ? `, broken: ${v(broken.join(', '))}` : ''}`,
    `  parts: ${v(collectors.map((c) => `${c.collector} ${c.status}`).join(', '))}`,
    ...collectors.filter((c) => c.status !== 'ok').flatMap((c) => (c.problems ?? []).map((p: string) => `    ${v(c.collector)}: ${v(p)}`)),
    problems.length === 0 ? `  ${result.matched} files, every one matches the manifest (size and SHA-256)` : `  ${problems.length} problem(s); ${result.matched} of ${manifest.files.length} files match the manifest:`,
    ...problems.map((p) => `    ${v(p)}`),
  ];
  await context.write(`${lines.join('\n')}\n`);
  return problems.length === 0 ? 0 : 1;
}
