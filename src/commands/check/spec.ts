import { CHECK_FORMATS } from '../../render/check/registry.js';
import { CHECK_EXAMPLE, checkOptions } from '../shared/check-options.js';
import { outputOption } from '../shared/output-options.js';
import type { CommandSpec } from '../shared/spec.js';
import { workspaceOptions } from '../shared/workspace-options.js';

export const CHECK: CommandSpec = {
  name: 'check',
  summary: 'check from here that every endpoint the workspace needs is reachable, and say which feature breaks when one is not',
  options: () => [...workspaceOptions(), ...checkOptions(), outputOption(CHECK_FORMATS)],
  examples: CHECK_EXAMPLE,
  load: () => import('./run.js'),
};
