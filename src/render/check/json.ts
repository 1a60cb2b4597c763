import type { CheckReport } from '../../report/report.js';

/** Pretty-printed like JSON.stringify(value, null, 2), every line shifted right by `depth` levels. */
function indented(value: unknown, depth: number): string {
  // JSON escapes newlines inside strings, so every raw newline here is a line break.
  return (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', `\n${'  '.repeat(depth)}`);
}

/**
 * `check -o json` in pieces, one target at a time: the same text as
 * JSON.stringify(report, null, 2), without ever holding all of it. A run of thousands of
 * targets makes a report of tens of MB, and building it as one string would double the
 * memory the whole run needs.
 */
export function* checkJsonChunks(report: CheckReport): Generator<string> {
  const entries = Object.entries(report).filter(([, value]) => value !== undefined && typeof value !== 'function');
  yield '{\n';
  for (const [index, [key, value]] of entries.entries()) {
    const separator = index < entries.length - 1 ? ',\n' : '\n';
    if (key !== 'targets' || !Array.isArray(value) || value.length === 0) {
      yield `  ${JSON.stringify(key)}: ${indented(value, 1)}${separator}`;
      continue;
    }
    yield `  ${JSON.stringify(key)}: [\n`;
    for (const [i, target] of value.entries()) yield `    ${indented(target, 2)}${i < value.length - 1 ? ',\n' : '\n'}`;
    yield `  ]${separator}`;
  }
  yield '}\n';
}

/** `check -o json`: the whole report, validated by schema/report.schema.json. */
export function renderCheckJson(report: CheckReport): string {
  return [...checkJsonChunks(report)].join('');
}
