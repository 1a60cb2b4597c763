// Runs inside a simulated VNet (`ip netns exec`): starts the UDP servers it is given, probes
// each target with the built UDP prober, and prints one JSON line per target, in order.
// Usage: node udp-in-vnet.mjs '{"servers":[{"address","port","answers"}],"targets":[{"address","port"}],"timeoutMs":N}'
import dgram from 'node:dgram';
import { probeUdp } from '../../dist/probers/udp.js';
import { udpVerdict } from '../../dist/probers/classify/udp.js';

const { servers, targets, timeoutMs } = JSON.parse(process.argv[2]);
const sockets = await Promise.all(
  servers.map(
    ({ address, port, answers }) =>
      new Promise((resolve, reject) => {
        const socket = dgram.createSocket('udp4');
        socket.on('message', (message, from) => {
          if (answers) socket.send(message, from.port, from.address);
        });
        socket.once('error', reject);
        socket.bind(port, address, () => resolve(socket));
      }),
  ),
);
const results = await Promise.all(targets.map((target) => probeUdp(target, { timeoutMs })));
for (const result of results) process.stdout.write(`${JSON.stringify({ ...udpVerdict(result), result })}\n`);
for (const socket of sockets) socket.close();
