/**
 * Runs a simulated Azure from a JSON spec until stdin closes or a signal comes. Tests
 * start it inside a network namespace (`ip netns exec NS node dist/simulate/serve.js spec.json`)
 * and read one JSON line from stdout once every server listens: { ready, dnsServer, caPem }.
 */
import { readFileSync } from 'node:fs';
import { startSimulatedAzure, type SimulatedAzureSpec } from './azure.js';

const specFile = process.argv[2];
if (!specFile) {
  process.stderr.write('usage: serve.js SPEC.json\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specFile, 'utf8')) as SimulatedAzureSpec;
const azure = await startSimulatedAzure(spec);
process.stdout.write(`${JSON.stringify({ ready: true, dnsServer: azure.dnsServer, caPem: azure.caPem })}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await azure.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
