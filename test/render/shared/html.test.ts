import { createHash } from 'node:crypto';
import t from 'tap';
import { breakable, contentSecurityPolicy, cspHash, escapeHtml, html, jsonForScript, jsonScript, renderPage, sortableTable, tableFilter } from '../../../src/render/shared/html.js';

t.test('escapeHtml leaves no markup, no quote that ends an attribute, no control character', async (t) => {
  t.equal(escapeHtml(`<a href="x" title='y'>&amp;</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  t.equal(escapeHtml('deny\u001b[2J\u202eevil\n'), 'deny\\x1b[2J\\u202eevil\\n', 'controls and bidi overrides are shown, not obeyed');
  t.equal(escapeHtml('plain text, 10.0.0.4:443'), 'plain text, 10.0.0.4:443');
});

t.test('html escapes every hole, keeps nested markup, joins arrays and drops nothing-values', async (t) => {
  const hostile = '"><script>alert(1)</script>';
  const out = html`<td title="${hostile}">${hostile}${html`<b>${1}</b>`}${[html`<i>`, 'x&y', html`</i>`]}${false}${null}${undefined}</td>`;
  t.equal(out.markup, '<td title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;<b>1</b><i>x&amp;y</i></td>');
});

t.test('JSON in a script element cannot end it, open a comment or break a JavaScript reader', async (t) => {
  const value = { text: '</script><!-- <script>x</script> & \u2028\u2029 ]]>' };
  const json = jsonForScript(value);
  t.notMatch(json, /[<>&\u2028\u2029]/);
  t.same(JSON.parse(json), value, 'it reads back unchanged');
  t.match(jsonScript('data"x', value).markup, /^<script type="application\/json" id="data&quot;x">\{"text":"\\u003c\/script\\u003e/);
});

t.test('breakable lets a host wrap between labels and escapes each piece', async (t) => {
  t.equal(breakable('a-b.c:443').markup, 'a-<wbr>b.<wbr>c:<wbr>443');
  t.equal(breakable('<x>.y').markup, '&lt;x&gt;.<wbr>y');
});

t.test('the page allows its own inline style and script by hash and nothing else', async (t) => {
  t.equal(cspHash(''), `'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='`, 'the SHA-256 of nothing, as CSP spells it');
  const page = renderPage({ title: 'T <1>', body: html`<p>${'body'}</p>`, style: 'p{color:red}', script: 'document.title += "!";' });
  const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? '';
  const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
  t.match(style, /p\{color:red\}$/, 'the report style comes after the shared one');
  t.match(script, /document\.title \+= "!";$/);
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1]?.replace(/&#39;/g, "'");
  t.equal(policy, contentSecurityPolicy(style, script));
  const sha = (text: string): string => createHash('sha256').update(text).digest('base64');
  t.match(policy, `default-src 'none'; style-src 'sha256-${sha(style)}'; script-src 'sha256-${sha(script)}';`);
  t.match(page, /<title>T &lt;1&gt;<\/title>/);
  t.ok(page.indexOf('Content-Security-Policy') < page.indexOf('<style>'), 'the policy is in force before the first inline block');
  t.throws(() => renderPage({ title: 't', body: html``, script: 'x = "</script>"' }), /end tag/);
});

t.test('a sortable table is complete HTML, sort keys in data-sort, and its filter waits for the script', async (t) => {
  const table = sortableTable({
    id: 'x',
    caption: 'c',
    columns: [{ label: 'Name' }, { label: 'ms', numeric: true, className: 'num' }],
    rows: [{ tags: ['bad', 'problem'], className: 'tone-bad', cells: [{ content: 'a"b' }, { content: '—', sort: null }] }],
    sortedBy: { column: 1, direction: 'descending' },
  }).markup;
  t.match(table, '<th scope="col" data-type="number" class="num" aria-sort="descending">ms</th>');
  t.match(table, '<tr data-tags="bad problem" class="tone-bad"><td>a&quot;b</td><td class="num" data-sort="">—</td></tr>');
  const filter = tableFilter({ table: 'x', label: 'Filter', choiceLabel: 'Show', choices: [{ value: '', label: 'all' }] }).markup;
  t.match(filter, /^<div class="controls" data-filter-for="x" hidden>/);
});
