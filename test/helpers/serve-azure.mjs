/**
 * Runs a simulated Azure from a JSON spec until stdin closes or a signal comes. Tests
 * start it inside a network namespace (`ip netns exec NS node test/helpers/serve-azure.mjs spec.json`)
 * and read one JSON line from stdout once every server listens: { ready, dnsServer, caPem }.
 * It runs the built simulator (the one `demo` uses), so `npm run build` comes first.
 */
import { readFileSync } from 'node:fs';
import { startSimulatedAzure } from '../../dist/simulate/azure.js';

const specFile = process.argv[2];
if (!specFile) {
  process.stderr.write('usage: serve-azure.mjs SPEC.json\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, 'utf8'));
const azure = await startSimulatedAzure(spec);
process.stdout.write(`${JSON.stringify({ ready: true, dnsServer: azure.dnsServer, caPem: azure.caPem })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await azure.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
