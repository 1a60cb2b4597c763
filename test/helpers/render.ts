import type { Registry } from '../../src/render/format.js';

/** Every renderer of a kind, loaded: for tests that render one value in each format at once. */
export async function loadAll<F extends string, R>(registry: Registry<F, R>): Promise<Record<F, R>> {
  return Object.fromEntries(await Promise.all(registry.map(async (d) => [d.format, await d.load()] as const))) as Record<F, R>;
}
