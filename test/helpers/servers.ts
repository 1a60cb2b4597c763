import type { RunningServer } from '../../src/simulate/servers.js';

export * from '../../src/simulate/servers.js';

/** The part of a tap test the helpers need. */
export interface Cleanup {
  teardown(fn: () => unknown): void;
}

/** Starts a server and closes it when the test ends. */
export async function started<T extends RunningServer>(t: Cleanup, server: Promise<T>): Promise<T> {
  const running = await server;
  t.teardown(() => running.close());
  return running;
}
