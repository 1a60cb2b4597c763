import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { decodeInputText, inputLabel, readInputFile } from '../../src/io/input-file.js';
import { InputError } from '../../src/model/errors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'amlnc-input-'));

function lineOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error.toLine();
    throw error;
  }
  return 'no error';
}

t.test('a regular file is read whole', async (t) => {
  const file = path.join(dir, 'small.json');
  writeFileSync(file, '{"a":1}');
  t.equal(readInputFile(file, '--workspace-json').toString(), '{"a":1}');
});

t.test('a file over the cap is refused by its size, without reading it', async (t) => {
  const file = path.join(dir, 'big.json');
  writeFileSync(file, Buffer.alloc(2048, 0x20));
  t.match(
    lineOf(() => readInputFile(file, '--workspace-json', { maxBytes: 1024 })),
    /^--workspace-json: '.*big\.json': is 2048 bytes, more than the .* MiB an input file may have$/,
  );
});

t.test('endless devices stop at the cap, in bounded time and memory', async (t) => {
  for (const device of ['/dev/zero', '/dev/urandom']) {
    const started = performance.now();
    t.match(
      lineOf(() => readInputFile(device, '--catalog')),
      /holds more than the 16 MiB an input file may have$/,
      device,
    );
    t.ok(performance.now() - started < 10_000, `${device} gave up quickly`);
  }
});

t.test('a FIFO nobody writes to: one line once its writer has had a moment, not a hang', async (t) => {
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  t.match(
    lineOf(() => readInputFile(fifo, '--workspace-json', { writerWaitMs: 300 })),
    /: nothing was written to the FIFO within 0\.3 s$/,
  );
});

t.test('a FIFO whose writer opens it a moment after us is read whole', async (t) => {
  const fifo = path.join(dir, 'late-fifo');
  execFileSync('mkfifo', [fifo]);
  // The writer is a separate process that starts late, as `mkfifo p; producer > p &` can.
  const writer = spawn('sh', ['-c', `sleep 0.5; printf '{"a":1}' > ${fifo}`], { stdio: 'ignore' });
  t.teardown(() => writer.kill());
  t.equal(readInputFile(fifo, '--workspace-json').toString(), '{"a":1}');
});

t.test('a FIFO whose writer never finishes times out with one line', async (t) => {
  const fifo = path.join(dir, 'slow-fifo');
  execFileSync('mkfifo', [fifo]);
  // This process is the writer: it sends a little and keeps its end open, never finishing.
  const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  t.teardown(() => closeSync(writer));
  writeSync(writer, '{');
  t.match(
    lineOf(() => readInputFile(fifo, '--workspace-json', { timeoutMs: 500 })),
    /the FIFO sent no end of data within 0\.5 s$/,
  );
});

t.test('a directory and a missing file are named', async (t) => {
  t.match(
    lineOf(() => readInputFile(dir, '--catalog')),
    /is a directory, not a file$/,
  );
  t.match(
    lineOf(() => readInputFile(path.join(dir, 'nope.yaml'), '--catalog')),
    /cannot open: no such file \(ENOENT\)$/,
  );
});

t.test('a long or hostile file name is quoted short and safe', async (t) => {
  const line = lineOf(() => readInputFile(`/nonexistent/${'a'.repeat(200)}\u001b[2J`, '--catalog'));
  t.notMatch(line, /\u001b/);
  t.ok(line.length < 160, line);
  t.match(line, /…'/);
});

t.test('UTF-8 with a BOM and UTF-16 either way are decoded; other bytes are refused', async (t) => {
  const text = '{"name":"wsé"}';
  t.equal(decodeInputText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'f'), text);
  t.equal(decodeInputText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'f'), text);
  const be = Buffer.from(text, 'utf16le').swap16();
  t.equal(decodeInputText(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), 'f'), text);
  t.equal(decodeInputText(Buffer.from(text, 'utf16le'), 'f'), text, 'UTF-16LE without a mark');
  t.match(
    lineOf(() => decodeInputText(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 'ws.json')),
    /^ws\.json: is not UTF-8 or UTF-16 text$/,
  );
});

t.test('standard input: a pipe, and a socket as Node spawns it, are read whole; a writer that never ends times out', async (t) => {
  const { spawn } = await import('node:child_process');
  const read = (input: string | null, timeoutMs: number): Promise<string> =>
    new Promise((resolve) => {
      const code = `import { readInputFile } from ${JSON.stringify(new URL('../../src/io/input-file.ts', import.meta.url).href)};
        try { process.stdout.write('read:' + readInputFile('-', '--workspace-json', { timeoutMs: ${timeoutMs} }).toString()); }
        catch (error) { process.stdout.write('error:' + error.toLine()); }`;
      const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('close', () => resolve(out));
      if (input !== null) child.stdin.end(input);
      else child.stdin.write('{');
      t.teardown(() => child.kill());
    });
  t.equal(await read('{"a":1}', 5000), 'read:{"a":1}', 'a socket stdin');
  t.equal(await read(null, 500), 'error:--workspace-json: standard input: the socket sent no end of data within 0.5 s');
});

t.test('a long path is cut from the front: the file name stays whole', async (t) => {
  const file = `/exports/${'nested/'.repeat(20)}nsg-aml-subnet.json`;
  const label = inputLabel(file);
  t.ok(label.endsWith('/nsg-aml-subnet.json'), label);
  t.ok(label.startsWith('…'), label);
  t.equal([...label].length, 80);
  t.equal(inputLabel('short.json'), 'short.json');
});
