// Preloaded into a child process to prove a command makes no network call:
// any attempt to resolve a name or open a socket ends the process loudly.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

function forbidden(what) {
  return () => {
    process.stderr.write(`NETWORK CALL: ${what}\n`);
    process.exit(99);
  };
}
net.Socket.prototype.connect = forbidden('net.Socket.connect');
dgram.createSocket = forbidden('dgram.createSocket');
dns.lookup = forbidden('dns.lookup');
dns.promises.lookup = forbidden('dns.promises.lookup');
for (const method of ['resolve', 'resolve4', 'resolve6', 'resolveCname', 'resolveAny']) {
  dns[method] = forbidden(`dns.${method}`);
  dns.promises[method] = forbidden(`dns.promises.${method}`);
}
