import { readdirSync, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { fail, succeed, type Phase, type PhaseResult } from '../../src/model/phases.js';
import { internalErrorOf, runProbe } from '../../src/probers/contract.js';
import { resolveHost } from '../../src/probers/dns.js';
import { probeHttp } from '../../src/probers/http.js';
import { probeTcp } from '../../src/probers/tcp.js';
import { probeTls } from '../../src/probers/tls.js';
import { probeUdp } from '../../src/probers/udp.js';

const spec = (extra: object = {}) => ({ phase: 'tcp' as const, what: 'connect to 10.0.0.4:443', context: { timeoutMs: 1000 }, details: () => ({ seen: 1 }), ...extra });

t.test('a returned result settles the probe', async (t) => {
  const result = await runProbe(spec(), () => succeed('tcp', 1, { seen: 2 }));
  t.match(result, { ok: true, details: { seen: 2 } });
});

t.test('a throw in the body, a rejection, a throw in a handler: internal-error with the evidence', async (t) => {
  const thrown = await runProbe(spec(), () => {
    throw new TypeError('boom');
  });
  t.match(thrown, { ok: false, phase: 'tcp', reason: 'internal-error', cause: 'TypeError', details: { seen: 1 } });
  t.equal(!thrown.ok && thrown.message, 'aml-netcheck failed in the tcp phase (connect to 10.0.0.4:443): TypeError: boom');
  t.match(internalErrorOf(thrown), { message: 'boom' });
  t.notMatch(JSON.stringify(thrown), '"error"', 'the error object stays out of the JSON');

  const rejected = await runProbe(spec(), async () => Promise.reject(Object.assign(new Error('odd'), { code: 'EODD' })));
  t.match(rejected, { reason: 'internal-error', cause: 'EODD' });

  const emitter = new EventEmitter();
  const inHandler = runProbe(spec(), (scope) => {
    scope.on(emitter, 'ping', () => {
      throw new Error('in a handler');
    });
  });
  emitter.emit('ping');
  t.match(await inHandler, { reason: 'internal-error', message: /in a handler/ });
  t.equal(emitter.listenerCount('ping'), 0, 'its listeners are gone');
});

t.test('settles once; resources close; released ones stay open', async (t) => {
  const closed: string[] = [];
  const result = await runProbe(spec(), (scope) => {
    scope.own({ destroy: () => closed.push('owned') });
    const kept = scope.own({ destroy: () => closed.push('released') });
    scope.release(kept);
    scope.settle(fail('tcp', 1, 'tcp-refused', 'first', null, { seen: 3 }));
    scope.settle(succeed('tcp', 1, { seen: 4 }));
    throw new Error('after the fact');
  });
  t.match(result, { ok: false, reason: 'tcp-refused', message: 'first' });
  await new Promise((resolve) => setImmediate(resolve));
  t.same(closed, ['owned']);
});

t.test('timeout and abort map to the prober’s failures; an early abort never runs the body', async (t) => {
  const interrupted = (why: string, ms: number) => fail('tcp', ms, why === 'timeout' ? 'tcp-timeout' : 'aborted', why, null, { seen: 0 });
  const timedOut = await runProbe(spec({ context: { timeoutMs: 20 }, interrupted }), () => undefined);
  t.match(timedOut, { reason: 'tcp-timeout' });
  let ran = false;
  const early = await runProbe(spec({ context: { timeoutMs: 1000, signal: AbortSignal.abort() }, interrupted }), () => {
    ran = true;
  });
  t.match(early, { reason: 'aborted', message: 'connect to 10.0.0.4:443 aborted before it started' });
  t.equal(ran, false);
});

t.test('secrets are scrubbed from internal-error messages', async (t) => {
  const result = await runProbe(spec({ scrub: (text: string) => text.replaceAll('hunter2', '***') }), () => {
    throw new Error('bad proxy http://u:hunter2@p');
  });
  t.notMatch(JSON.stringify(result), 'hunter2');
});

t.test('probers install listeners only through the scope, so every handler is guarded and traced', async (t) => {
  // recording-stream.ts is a byte pipe whose stream the TLS prober's scope owns; it decides nothing.
  const dir = fileURLToPath(new URL('../../src/probers/', import.meta.url));
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts') && name !== 'contract.ts' && name !== 'deadline.ts' && name !== 'recording-stream.ts')) {
    const text = readFileSync(dir + file, 'utf8');
    const raw = [...text.matchAll(/(?<!scope)\.(on|once|addEventListener)\(([^)]*)/g)].map((m) => m[0]).filter((call) => !/^\.on\('error', ignoreError$/.test(call));
    t.same(raw, [], `${file} installs no unguarded listener`);
  }
});

t.test('every prober keeps the contract: handed a cancelled signal, it settles as aborted in its own phase, never throws', async (t) => {
  // The compiler checks each signature (`satisfies Prober`); this checks what they do with it.
  const context = { timeoutMs: 1000, signal: AbortSignal.abort() };
  const probers: Array<[Phase, () => Promise<PhaseResult<unknown>>]> = [
    ['dns', () => resolveHost({ host: 'contract.test' }, { ...context, servers: [{ address: '127.0.0.1', port: 9 }] })],
    ['tcp', () => probeTcp({ address: '127.0.0.1', port: 9 }, context)],
    ['tls', () => probeTls({ host: 'contract.test', address: '127.0.0.1', port: 9 }, context)],
    ['http', () => probeHttp({ url: 'https://contract.test:9/', address: '127.0.0.1' }, context)],
    ['udp', () => probeUdp({ address: '127.0.0.1', port: 9 }, context)],
  ];
  for (const [phase, probe] of probers) {
    const result = await probe();
    t.match(result, { ok: false, phase, reason: 'aborted' }, phase);
    t.equal(internalErrorOf(result), undefined, `${phase}: no bug behind it`);
  }
});
