import { explainHost } from '../catalog/explain.js';
import { loadCatalog } from '../catalog/load.js';
import type { Cloud } from '../catalog/clouds.js';
import { renderExplainJson, renderExplainText } from '../reporters/explain-text.js';

export interface ExplainOptions {
  cloud?: Cloud;
  catalog?: string[];
  output: 'table' | 'json';
}

/** Exit 1 when nothing in the catalog covers the host, like grep finding nothing. */
export function runExplain(host: string, options: ExplainOptions, write: (text: string) => void): number {
  const catalog = loadCatalog({ extraFiles: options.catalog ?? [] });
  const explanations = explainHost(catalog, host, options.cloud);
  write(options.output === 'json' ? renderExplainJson(host, explanations) : renderExplainText(host, explanations));
  return explanations.length > 0 ? 0 : 1;
}

export const EXPLAIN_EXAMPLE = `
Examples:
  $ aml-netcheck explain ci1.westus2.instances.azureml.ms
  $ aml-netcheck explain st1.file.core.windows.net:445
  $ aml-netcheck explain Storage.westus2 --cloud public -o json`;
