import { CHECK_RENDERERS } from '../../render/check/registry.js';
import { guardOutput, PLAIN } from '../../render/shared/terminal.js';
import type { Collector } from '../contract.js';

/** The file each report format is saved as; a format not named here keeps its own name as the ending. */
const REPORT_FILE: Readonly<Record<string, string>> = {
  json: 'report.json',
  markdown: 'report.md',
  html: 'report.html',
  junit: 'report.junit.xml',
  table: 'report.txt',
};

function reportFileName(format: string): string {
  return REPORT_FILE[format] ?? `report.${format.replace(/[^a-z0-9-]/g, '')}`;
}

/**
 * The check report in every format the registry knows, one collector each, so a format that
 * fails costs only its own file. A format added to the registry is in the bundle by itself.
 */
export function reportCollectors(): Collector[] {
  return CHECK_RENDERERS.map(({ format, escapesItself, load }) => ({
    name: `report.${format}`,
    describes: `the check report as ${format}`,
    collect: async ({ report }) => {
      const render = await load();
      const text = [...guardOutput(escapesItself, render(report, PLAIN))].join('');
      return { files: [{ name: reportFileName(format), content: { renderedFromReport: text } }] };
    },
  }));
}
