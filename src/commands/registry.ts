import { AUDIT } from './audit/spec.js';
import { BUNDLE } from './bundle/spec.js';
import { CHECK } from './check/spec.js';
import { DEMO } from './demo/spec.js';
import { DIFF } from './diff/spec.js';
import { EXPLAIN } from './explain/spec.js';
import { FEATURES } from './features/spec.js';
import { K8S_MANIFEST } from './k8s-manifest/spec.js';
import { LIST } from './list/spec.js';
import { LISTEN } from './listen/spec.js';
import { MERGE } from './merge/spec.js';
import { REVISIONS } from './revisions/spec.js';
import { RULES } from './rules/spec.js';
import type { CommandSpec } from './shared/spec.js';

/** Every command, in the order `aml-netcheck --help` lists them. A new command is a folder and a line here. */
export const COMMANDS: readonly CommandSpec[] = [LIST, CHECK, RULES, AUDIT, BUNDLE, DEMO, K8S_MANIFEST, DIFF, MERGE, EXPLAIN, LISTEN, REVISIONS, FEATURES];
