import t from 'tap';
import { renderDiffJson } from '../../../src/render/diff/json.js';
import { sampleDiff } from '../../helpers/sample-diff.js';

t.test('the diff as it is, with what it is and its version on top', async (t) => {
  const diff = sampleDiff();
  const text = renderDiffJson(diff);
  t.match(text, /^\{\n {2}"kind": "aml-netcheck-diff",\n {2}"schemaVersion": 1,\n/);
  t.same(JSON.parse(text), diff);
  t.match(JSON.parse(text), { summary: { exitCode: 1, targets: { 'newly-broken': 3, changed: 2, 'no-verdict': 1, added: 1, removed: 1 } } });
  t.notMatch(text, /\u001b/, 'control characters are escaped by JSON itself');
});
