import t from 'tap';
import { compileUserPatterns, createRedactor, maskedUrl, REDACTED, shapeOf } from '../../src/model/redact.js';
import { InputError } from '../../src/model/errors.js';

const redactor = createRedactor(compileUserPatterns(['corp-internal-[0-9]+']));
const STORAGE_KEY = `${'Ab3+'.repeat(21)}xY==`;
const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNlY3JldA';

t.test('each kind of secret is redacted, and what is around it stays', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['proxy URL', 'HTTPS_PROXY=http://alice:s3cr3t-P%40ss@proxy.corp:3128', `HTTPS_PROXY=http://alice:${REDACTED}@proxy.corp:3128`],
    ['URL with an empty user', 'https://:tok3n@host/x', `https://:${REDACTED}@host/x`],
    ['SAS query', 'GET https://st1.blob.core.windows.net/c/b?sv=2022-11-02&ss=b&se=2030-01-01T00%3A00Z&sig=AbC%2Bd%3D', `GET https://st1.blob.core.windows.net/c/b?sv=${REDACTED}&ss=${REDACTED}&se=${REDACTED}&sig=${REDACTED}`],
    ['SAS alone', 'sig=abcdef', `sig=${REDACTED}`],
    ['bearer', 'Authorization: Bearer abc.def-ghi_jkl', `Authorization: ${REDACTED}`],
    ['bearer in a sentence', 'sent bearer AbCdEfGhIjKl to the API', `sent bearer ${REDACTED} to the API`],
    ['JWT', `token ${JWT} here`, `token ${REDACTED} here`],
    ['cookie header', 'Cookie: session=abc; other=def', `Cookie: ${REDACTED}`],
    ['set-cookie', 'set-cookie: x=1; HttpOnly', `set-cookie: ${REDACTED}`],
    ['cookie as a JSON key', '{"headers":{"Cookie": "session=abc","accept":"*/*"}}', `{"headers":{"Cookie": "${REDACTED}","accept":"*/*"}}`],
    ['authorization as a JSON key', '{"authorization":"opaque-value"}', `{"authorization":"${REDACTED}"}`],
    ['proxy-authorization', 'Proxy-Authorization: Basic YWxpY2U6czNjcjN0', `Proxy-Authorization: ${REDACTED}`],
    ['connection string', 'DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=abc+/==;EndpointSuffix=core.windows.net', `DefaultEndpointsProtocol=https;AccountName=st1;AccountKey=${REDACTED};EndpointSuffix=core.windows.net`],
    ['service bus', 'Endpoint=sb://x/;SharedAccessKeyName=root;SharedAccessKey=k3y=', `Endpoint=sb://x/;SharedAccessKeyName=${REDACTED};SharedAccessKey=${REDACTED}`],
    ['storage key alone', `key ${STORAGE_KEY} end`, `key ${REDACTED} end`],
    ['user pattern', 'ticket corp-internal-12345 opened', `ticket ${REDACTED} opened`],
  ];
  for (const [name, input, wanted] of cases) t.equal(redactor.text(input), wanted, name);
});

t.test('ordinary text is left alone', async (t) => {
  for (const text of [
    'connect to 10.0.1.4:445 timed out after 5000 ms',
    'https://st1.blob.core.windows.net/container?restype=container',
    'the user chose use=this and case=that',
    'nameserver 168.63.129.16',
    'aml-netcheck: --out: cannot write',
    'http://proxy.corp:3128',
    'sha256 of the file is 5d41402abc4b2a76b9719d911017c592',
  ])
    t.equal(redactor.text(text), text, text);
});

t.test('JSON values: secret-named keys lose their values, every string is redacted', async (t) => {
  const value = {
    headers: { Authorization: 'anything at all', 'content-type': 'text/html', cookie: 'a=b' },
    settings: { proxy: 'http://u:p4ss@proxy:3128', password: 'hunter2', token: null },
    list: ['sig=xyz', { accountKey: 'k' }],
    count: 3,
  };
  t.same(redactor.value(value), {
    headers: { Authorization: REDACTED, 'content-type': 'text/html', cookie: REDACTED },
    settings: { proxy: `http://u:${REDACTED}@proxy:3128`, password: REDACTED, token: null },
    list: [`sig=${REDACTED}`, { accountKey: REDACTED }],
    count: 3,
  });
  t.equal(value.settings.password, 'hunter2', 'the input is not changed');
});

t.test('--redact patterns are checked', async (t) => {
  t.throws(() => compileUserPatterns(['(unclosed']), InputError);
  t.throws(() => compileUserPatterns(['a*']), { message: /matches the empty string/ });
  const error = (() => {
    try {
      compileUserPatterns(['[z-a]']);
    } catch (e) {
      return e as InputError;
    }
    return null;
  })();
  t.match(error?.toLine(), /^--redact: '\[z-a\]' is not a regular expression: /);
  t.same(compileUserPatterns([]), []);
});

t.test('--redact patterns reach values, never keys, nor values the shape fixes, nor a [redacted] already there', async (t) => {
  const letters = createRedactor(compileUserPatterns(['\\p{L}']));
  const words = createRedactor(compileUserPatterns(['summary', 'ode', 'red']));
  const document = { summary: { exitCode: 1, status: 'broken', note: 'summary of a node' }, targets: [{ reason: 'tcp-timeout', detail: 'sig=abc' }] };
  const shape = shapeOf({ summary: { status: true }, targets: { '*': { reason: true } } });
  t.same(
    words.value(document, shape),
    {
      summary: { exitCode: 1, status: 'broken', note: `${REDACTED} of a n${REDACTED}` },
      targets: [{ reason: 'tcp-timeout', detail: `sig=${REDACTED}` }],
    },
    'keys and fixed values kept; the built-in [redacted] is not rewritten by `red`',
  );
  t.same(
    letters.value(document, shape),
    {
      summary: { exitCode: 1, status: 'broken', note: `${REDACTED.repeat(7)} ${REDACTED.repeat(2)} ${REDACTED} ${REDACTED.repeat(4)}` },
      targets: [{ reason: 'tcp-timeout', detail: `${REDACTED.repeat(3)}=${REDACTED}` }],
    },
    'every letter of a value, and only of values',
  );
  t.equal(letters.text(letters.text('sig=abc')), letters.text('sig=abc'), 'redacting twice is redacting once');
});

t.test('log lines: JSON ones as data (keys kept), others as text', async (t) => {
  const words = createRedactor(compileUserPatterns(['target', 'msg']));
  const log = `{"level":30,"target":"web:443","msg":"target checked","authorization":"Bearer abcdefghijk"}\nplain target line\n`;
  t.equal(words.lines(log), `{"level":30,"target":"web:443","msg":"${REDACTED} checked","authorization":"${REDACTED}"}\nplain ${REDACTED} line\n`);
});

t.test('a proxy URL shows its user and masks its password, one way wherever it is shown', async (t) => {
  t.equal(maskedUrl('http://alice:hunter2@proxy:3128'), 'http://alice:***@proxy:3128');
  t.equal(maskedUrl('http://alice:hunter2@proxy:3128/'), 'http://alice:***@proxy:3128/', 'the rest as given');
  t.equal(maskedUrl('http://proxy:3128'), 'http://proxy:3128');
  t.equal(maskedUrl('http://alice@proxy:3128'), 'http://alice@proxy:3128', 'a user alone has nothing to mask');
  t.equal(maskedUrl('http://:hunter2@proxy:3128'), 'http://:***@proxy:3128');
  t.equal(maskedUrl('alice:hunter2@proxy:3128'), 'alice:***@proxy:3128', 'without a scheme, as --proxy accepts it');
  t.equal(maskedUrl('http://alice:hun@ter2@proxy:3128/a@b'), 'http://alice:***@proxy:3128/a@b', "up to the authority's last @, none of the password left");
  t.equal(maskedUrl('http://user:pa ss@'), 'http://user:***@', 'a value no URL parser takes is masked all the same');
});

t.test('a proxy URL already shown masked keeps its mask: one way of showing it, not two', async (t) => {
  t.equal(redactor.text('through proxy http://svc-aml:***@10.99.0.3:3128/'), 'through proxy http://svc-aml:***@10.99.0.3:3128/');
  t.equal(redactor.text(`proxy ${maskedUrl('http://svc-aml:hunter2@10.99.0.3:3128')} (Squid)`), 'proxy http://svc-aml:***@10.99.0.3:3128 (Squid)');
  t.equal(redactor.text('proxy http://svc-aml:hunter2@10.99.0.3:3128'), `proxy http://svc-aml:${REDACTED}@10.99.0.3:3128`, 'a real password is still redacted');
});
