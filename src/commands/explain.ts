import { explainHost } from '../catalog/explain.js';
import { loadCatalog } from '../catalog/load.js';
import { renderExplainJson, renderExplainText } from '../reporters/explain-text.js';
import type { ExplainOptions } from './explain-options.js';
import type { Write } from '../io/stdout.js';
import { emit, prepareOutput } from './emit.js';
import { LIST_FORMATS } from '../reporters/formats.js';

/** Exit 1 when nothing in the catalog covers the host, like grep finding nothing. */
export async function runExplain(host: string, options: ExplainOptions, write: Write): Promise<number> {
  const files = prepareOutput(options.out, LIST_FORMATS);
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [] });
  const explanations = explainHost(catalog, host, options.cloud);
  await emit({ render: { json: () => [renderExplainJson(host, explanations)], table: () => [renderExplainText(host, explanations)] } }, options.output, files, write);
  return explanations.length > 0 ? 0 : 1;
}
