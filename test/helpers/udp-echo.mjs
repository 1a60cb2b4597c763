// Runs inside a simulated VNet (`ip netns exec`): UDP servers that echo what they receive,
// one per address and port given, until stdin closes. Prints `ready` once all are bound.
// Usage: node udp-echo.mjs '[{"address":"10.99.0.81","port":5831}]'
import dgram from 'node:dgram';

const sockets = await Promise.all(
  JSON.parse(process.argv[2]).map(
    ({ address, port }) =>
      new Promise((resolve, reject) => {
        const socket = dgram.createSocket('udp4');
        socket.on('message', (message, from) => socket.send(message, from.port, from.address));
        socket.once('error', reject);
        socket.bind(port, address, () => resolve(socket));
      }),
  ),
);
process.stdout.write('ready\n');
process.stdin.resume().on('end', () => {
  for (const socket of sockets) socket.close();
});
