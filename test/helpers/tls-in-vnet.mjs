// Runs inside a simulated VNet (`ip netns exec`): a TLS server on the address and port given,
// with the certificate and key given, until stdin closes. Prints `ready` once it listens.
// `groups` limits the key-exchange groups it accepts: a server that does not take the
// client's first key share answers with a small HelloRetryRequest before its big flight.
// Usage: node tls-in-vnet.mjs '{"address":"10.99.0.90","port":443,"cert":"PEM","key":"PEM","groups":"P-384"}'
import tls from 'node:tls';

const { address, port, cert, key, groups } = JSON.parse(process.argv[2]);
const server = tls.createServer({ cert, key, ...(groups ? { ecdhCurve: groups } : {}) }, (socket) => socket.end());
server.on('tlsClientError', () => undefined);
server.listen(port, address, () => process.stdout.write('ready\n'));
process.stdin.resume().on('end', () => server.close());
