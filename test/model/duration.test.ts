import t from 'tap';
import { formatDuration, parseDuration } from '../../src/model/duration.js';
import { InputError } from '../../src/model/errors.js';

t.test('durations read the way network tools write them', async (t) => {
  t.equal(parseDuration('500ms', '--timeout'), 500);
  t.equal(parseDuration('5s', '--timeout'), 5000);
  t.equal(parseDuration('1.5s', '--timeout'), 1500);
  t.equal(parseDuration('2m', '--deadline'), 120_000);
  t.equal(parseDuration('250', '--timeout'), 250, 'a bare number is milliseconds');
  for (const bad of ['', 'fast', '5 sec', '-1s', '0', '0ms', '25h']) {
    t.throws(() => parseDuration(bad, '--timeout'), InputError, `'${bad}' is refused`);
  }
});

t.test('durations print short', async (t) => {
  t.equal(formatDuration(320), '320ms');
  t.equal(formatDuration(5000), '5s');
  t.equal(formatDuration(1500), '1.5s');
  t.equal(formatDuration(90_000), '1.5m');
});
