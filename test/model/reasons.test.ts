import t from 'tap';
import { REASON_CODES, REASONS } from '../../src/model/reasons.js';

t.test('every reason code has a summary, a verdict and a remedy', async (t) => {
  t.ok(REASON_CODES.length >= 30, `the table is read (${REASON_CODES.length} codes)`);
  for (const code of REASON_CODES) {
    const { summary, verdict, remedy } = REASONS[code];
    t.match(summary, /^[A-Za-z].*\.$/, `${code}: a sentence`);
    t.ok(['blocked', 'warning', 'unknown'].includes(verdict), `${code}: ${verdict}`);
    t.type(remedy, 'string', code);
  }
});

t.test('only what says nothing about the network is unknown, and it has nothing to fix', async (t) => {
  const unknown = REASON_CODES.filter((code) => REASONS[code].verdict === 'unknown');
  t.same(unknown, ['aborted', 'internal-error']);
  t.same(
    REASON_CODES.filter((code) => REASONS[code].remedy === 'none'),
    unknown,
  );
  t.same(
    REASON_CODES.filter((code) => REASONS[code].verdict === 'warning'),
    ['udp-unverified'],
    'silence proves no block',
  );
});
