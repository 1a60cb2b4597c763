import { AUDIT_RENDERERS } from './audit/registry.js';
import { CHECK_RENDERERS } from './check/registry.js';
import { DIFF_RENDERERS } from './diff/registry.js';
import { formatsEndingIn, type Registry } from './format.js';
import { LIST_RENDERERS } from './lists/registry.js';
import { MERGE_RENDERERS } from './merge/registry.js';
import { RULES_RENDERERS } from './rules/registry.js';

/** Every kind's registry: names and lazy loads only, so this loads no renderer. */
const REGISTRIES: readonly Registry[] = [CHECK_RENDERERS, DIFF_RENDERERS, MERGE_RENDERERS, RULES_RENDERERS, LIST_RENDERERS, AUDIT_RENDERERS];

/**
 * The formats some command writes for a file ending, the usual one first: an ending no
 * command knows asks for nothing (JSON is then written), one that another command knows asks
 * for that command's format, which this one may refuse.
 */
export function formatsAskedBy(extension: string): string[] {
  return [...new Set(REGISTRIES.flatMap((registry) => formatsEndingIn(registry, extension)))];
}
