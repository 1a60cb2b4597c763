/** One call of the stand-in `az` on `state` (changed in place); see az-standin.mjs. */
export function azCall(state: unknown, argv: string[], failPattern?: string): { code: number; stdout: string; stderr: string };
