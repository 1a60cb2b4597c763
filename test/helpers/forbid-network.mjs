// Preloaded into a child process to prove a command makes no network call:
// any attempt to resolve a name or open a socket ends the process loudly.
import { forbidNetwork } from './network-guard.mjs';

forbidNetwork((what) => {
  process.stderr.write(`NETWORK CALL: ${what}\n`);
  process.exit(99);
});
