import { explainHost } from '../catalog/explain.js';
import { loadCatalog } from '../catalog/load.js';
import { renderExplainJson, renderExplainText } from '../reporters/explain-text.js';
import type { ExplainOptions } from './explain-options.js';
import type { Write } from '../io/stdout.js';


/** Exit 1 when nothing in the catalog covers the host, like grep finding nothing. */
export function runExplain(host: string, options: ExplainOptions, write: Write): number {
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [] });
  const explanations = explainHost(catalog, host, options.cloud);
  write(options.output === 'json' ? renderExplainJson(host, explanations) : renderExplainText(host, explanations));
  return explanations.length > 0 ? 0 : 1;
}
