/** Replaces every way to reach the network with `onCall`; returns the function that restores them. See network-guard.mjs. */
export function forbidNetwork(onCall: (what: string) => void): () => void;
