import t from 'tap';
import { escapeControl, escapeControlKeepLines, quote, truncate } from '../../src/model/text.js';

t.test('control characters become visible escapes', async (t) => {
  t.equal(escapeControl('deny\u001b[2J\u0007page\r\n'), 'deny\\x1b[2J\\x07page\\r\\n');
  t.equal(escapeControl('a\u009bb\u202ec'), 'a\\x9bb\\u202ec', 'C1 CSI and bidi override');
  t.equal(escapeControl('plain text: ok, ünïcode'), 'plain text: ok, ünïcode');
  t.equal(escapeControlKeepLines('line 1\n\tline 2\u001b[31m'), 'line 1\n\tline 2\\x1b[31m');
});

t.test('quoted values are cut at 80 characters with an ellipsis', async (t) => {
  t.equal(truncate('x'.repeat(80)), 'x'.repeat(80));
  t.equal(truncate('x'.repeat(81)), `${'x'.repeat(79)}…`);
  t.equal(quote('short'), "'short'");
  t.equal(quote(`${'y'.repeat(100)}`).length, 82);
  t.equal(quote('\u001b]0;title\u0007'), "'\\x1b]0;title\\x07'");
});
