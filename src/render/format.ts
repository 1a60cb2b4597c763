import type { TextOptions } from './shared/terminal.js';

/**
 * One format a kind of output (a check report, a diff, a merge, rules, lists) prints in. Each
 * kind's registry is a list of these and the one owner of its formats' names, the file
 * endings that ask for them, and how they are escaped. Names and endings only until `load`
 * runs, so the CLI can offer the formats (`--help`, `--version`) without loading a renderer.
 */
export interface FormatDescriptor<F extends string = string, R = unknown> {
  readonly format: F;
  /** The endings of an `--out` file name that ask for this format, the usual one first. */
  readonly extensions: readonly string[];
  /**
   * The renderer escapes every outside value it lays out and may colour: the last guard
   * before a terminal or a file would show its own escape codes as `\x1b`.
   */
  readonly escapesItself: boolean;
  readonly load: () => Promise<R>;
}

export type Registry<F extends string = string, R = unknown> = readonly FormatDescriptor<F, R>[];

export type FormatOf<Reg extends Registry> = Reg[number]['format'];

/**
 * A kind's registry, its format names kept as a type (`FormatOf`) so a command's `-o` takes
 * only those; `R` is what each format's `load` gives, `Extra` what a kind adds to a descriptor.
 */
export function defineRegistry<R, Extra = object>() {
  return <const F extends string>(descriptors: readonly (FormatDescriptor<F, R> & Extra)[]): readonly (FormatDescriptor<F, R> & Extra)[] => descriptors;
}

export function formatsOf<F extends string>(registry: Registry<F>): F[] {
  return registry.map((descriptor) => descriptor.format);
}

export function descriptorOf<F extends string, R>(registry: Registry<F, R>, format: F): FormatDescriptor<F, R> {
  const descriptor = registry.find((d) => d.format === format);
  if (descriptor === undefined) throw new Error(`no renderer for the format ${format}`);
  return descriptor;
}

/** A report renderer: one string, or chunks (a report of thousands of targets streams). */
type ReportRenderer<V> = (value: V, options: TextOptions) => string | Iterable<string>;

/**
 * The formats of a report, the same for a check report, a diff and a merge: the table to
 * read, JSON, Markdown for a ticket, JUnit for CI, HTML to share. Each kind gives the loads of
 * its own renderers.
 */
export function reportRegistry<V>(loads: Readonly<Record<'table' | 'json' | 'markdown' | 'junit' | 'html', () => Promise<ReportRenderer<V>>>>) {
  const load = (format: keyof typeof loads) => async (): Promise<(value: V, options: TextOptions) => Iterable<string>> => {
    const render = await loads[format]();
    return (value, options) => {
      const text = render(value, options);
      return typeof text === 'string' ? [text] : text;
    };
  };
  return defineRegistry<(value: V, options: TextOptions) => Iterable<string>>()([
    { format: 'table', extensions: ['.txt'], escapesItself: true, load: load('table') },
    { format: 'json', extensions: ['.json'], escapesItself: true, load: load('json') },
    { format: 'markdown', extensions: ['.md', '.markdown'], escapesItself: false, load: load('markdown') },
    { format: 'junit', extensions: ['.xml'], escapesItself: false, load: load('junit') },
    { format: 'html', extensions: ['.html', '.htm'], escapesItself: true, load: load('html') },
  ]);
}

/** The formats a file ending asks for, in the registry's order (the first is the usual one). */
export function formatsEndingIn<F extends string>(registry: Registry<F>, extension: string): F[] {
  return registry.filter((d) => d.extensions.includes(extension)).map((d) => d.format);
}

/** Every ending the registry knows, each once, in the order its formats are listed. */
export function endingsOf(registry: Registry): string[] {
  return [...new Set(registry.flatMap((d) => d.extensions))];
}

/**
 * The endings of a registry as a reader is told them, JSON first (the format of any other name
 * too): endings that give the same formats are named together (`.md or .markdown markdown`), and
 * an ending that fits several formats says which one a file gets. `skip`: endings told elsewhere.
 */
export function endingsHelp(registry: Registry, skip: readonly string[] = []): string[] {
  const endings = new Map<string, string[]>();
  for (const ending of endingsOf(registry)
    .filter((e) => !skip.includes(e))
    .sort((a, b) => Number(b === '.json') - Number(a === '.json'))) {
    const given = formatsEndingIn(registry, ending);
    const key = given.length > 1 ? `${given.slice(0, -1).join(', ')} or ${given.at(-1) ?? ''} (the one -o names, else ${given[0] ?? ''})` : (given[0] as string);
    endings.set(key, [...(endings.get(key) ?? []), ending]);
  }
  return [...endings].map(([formats, names]) => `${names.join(' or ')} ${formats}`);
}

/**
 * What a command shows, in each format of its kind: a renderer per format that runs only when
 * that format is asked for (loading it first).
 */
export interface Rendering<F extends string> {
  readonly registry: Registry<F>;
  readonly render: Readonly<Record<F, (options: TextOptions) => Iterable<string> | Promise<Iterable<string>>>>;
}

/** The rendering of one value (a report, a diff, a plan) by every format of a registry, each loaded when asked for. */
export function renderEach<F extends string, R>(registry: Registry<F, R>, show: (renderer: R, options: TextOptions) => Iterable<string>): Rendering<F> {
  const render = Object.fromEntries(registry.map((d) => [d.format, async (options: TextOptions) => show(await d.load(), options)]));
  return { registry, render: render as Rendering<F>['render'] };
}
