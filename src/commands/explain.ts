import { explainHost } from '../catalog/explain.js';
import { loadCatalog } from '../catalog/load.js';
import { renderExplainJson, renderExplainText } from '../reporters/explain-text.js';
import type { ExplainOptions } from './explain-options.js';
import type { Write } from '../io/stdout.js';
import { emit, prepareOutput } from './emit.js';

/** Exit 1 when nothing in the catalog covers the host, like grep finding nothing. */
export async function runExplain(host: string, options: ExplainOptions, write: Write): Promise<number> {
  prepareOutput(options.out);
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [] });
  const explanations = explainHost(catalog, host, options.cloud);
  await emit({ json: () => [renderExplainJson(host, explanations)], text: () => renderExplainText(host, explanations) }, options.output, options.out, write);
  return explanations.length > 0 ? 0 : 1;
}
