import type { Cloud } from '../model/clouds.js';

export interface ExplainOptions {
  cloud?: Cloud;
  catalog?: string[];
  revision?: string;
  output: 'table' | 'json';
  out?: string[];
}

export const EXPLAIN_EXAMPLE = `
Examples:
  $ aml-netcheck explain ci1.westus2.instances.azureml.ms
  $ aml-netcheck explain st1.file.core.windows.net:445
  $ aml-netcheck explain Storage.westus2 --cloud public -o json
  $ aml-netcheck explain ghcr.io --revision 2021-11

Every revision of the article is explained unless --revision names one: in which the host is
required, and what changed from one to the next (ports, conditions, features, clouds).`;
