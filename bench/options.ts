/** `npm run bench -- [--skip PART,...] [--json FILE|-]`. */
import { parseArgs } from 'node:util';

/** The parts of the bench that can be left out; the 200-target aml-netcheck run always runs. */
export const PARTS = {
  curl: 'the sequential curl/nc loop (about 145 s)',
  blackbox: 'prometheus-blackbox-exporter',
  large: 'the 1,000-target run, half dropped',
  rss: 'the peak-RSS runs',
  startup: 'the --version and list timings',
} as const;

export type Part = keyof typeof PARTS;

export interface BenchOptions {
  readonly skip: ReadonlySet<Part>;
  /** Where the figures go as JSON: a file, `-` for stdout (the table then goes to stderr), or nowhere. */
  readonly json: string | null;
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [--skip ${Object.keys(PARTS).join(',')}] [--json FILE|-]
  --skip PARTS  leave out parts (comma-separated or repeated):
${Object.entries(PARTS)
  .map(([name, what]) => `                  ${name.padEnd(9)} ${what}`)
  .join('\n')}
  --json FILE   also write the figures as JSON to FILE (- for stdout; the table then goes to stderr)`;

function isPart(name: string): name is Part {
  return Object.hasOwn(PARTS, name);
}

/** Throws a one-line message on bad input. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({ args: [...argv], options: { skip: { type: 'string', multiple: true }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false });
  const names = (values.skip ?? [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const unknown = names.filter((n) => !isPart(n));
  if (unknown.length > 0) throw new Error(`unknown part for --skip: ${unknown.join(', ')} (parts: ${Object.keys(PARTS).join(', ')})`);
  return { skip: new Set(names.filter(isPart)), json: values.json ?? null, help: values.help === true };
}
