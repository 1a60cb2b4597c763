// Replaces every way a command could reach the network (resolve a name, open a socket) with
// `onCall(what)`. Returns the function that puts the originals back.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

const DNS_METHODS = ['resolve', 'resolve4', 'resolve6', 'resolveCname', 'resolveAny'];

/** @param {(what: string) => never | void} onCall @returns {() => void} */
export function forbidNetwork(onCall) {
  const saved = [];
  const replace = (owner, key, what) => {
    saved.push([owner, key, owner[key]]);
    owner[key] = function forbidden() {
      onCall(what);
      throw new Error(`NETWORK CALL: ${what}`);
    };
  };
  replace(net.Socket.prototype, 'connect', 'net.Socket.connect');
  replace(dgram, 'createSocket', 'dgram.createSocket');
  replace(dns, 'lookup', 'dns.lookup');
  replace(dns.promises, 'lookup', 'dns.promises.lookup');
  for (const method of DNS_METHODS) {
    replace(dns, method, `dns.${method}`);
    replace(dns.promises, method, `dns.promises.${method}`);
  }
  return () => {
    for (const [owner, key, original] of saved.reverse()) owner[key] = original;
  };
}
