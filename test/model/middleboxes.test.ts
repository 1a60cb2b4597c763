import t from 'tap';
import { kindByStatus, MIDDLEBOX_MARKERS } from '../../src/model/middleboxes.js';
import { recogniseDevice } from '../../src/probers/classify/http.js';

// The marker table on its own: every row sourced, and none that could turn the service's own
// answer into a denial.

t.test('every marker says where it comes from and names a product or a generic proxy', async (t) => {
  for (const [index, marker] of MIDDLEBOX_MARKERS.entries()) {
    const label = `row ${index} (${marker.product ?? 'generic proxy'})`;
    t.ok(/^https?:\/\/\S+|^well-known behaviour/.test(marker.source), `${label}: a documentation URL or "well-known behaviour"`);
    t.ok(marker.product === null ? marker.role === 'proxy' && marker.evidence === 'author' : marker.product.trim() === marker.product && marker.product.length > 0, `${label}: named, or a generic proxy marker`);
    if ('header' in marker.match) t.equal(marker.match.header, marker.match.header.toLowerCase(), `${label}: header names are lower case`);
    if ('headerPrefix' in marker.match) t.equal(marker.match.headerPrefix, marker.match.headerPrefix.toLowerCase(), `${label}: header prefixes are lower case`);
  }
});

t.test('a marker that is only a product name counts on an error status only', async (t) => {
  for (const marker of MIDDLEBOX_MARKERS) {
    if (!('body' in marker.match) || marker.on !== 'any') continue;
    // A template (two phrases, or a path no page writes by chance) may count on any status.
    const specific = marker.match.body.length > 1 || marker.match.body.some((pattern) => pattern.source.includes('\\/'));
    t.ok(specific, `${marker.product}: a body marker on any status is a template, not a name (${marker.match.body.join(' ')})`);
  }
  for (const marker of MIDDLEBOX_MARKERS.filter((m) => 'header' in m.match && m.match.header === 'server')) {
    t.equal(marker.on, 'error', `${marker.product}: a Server header alone decides only on an error`);
  }
});

t.test('headers on forwarded answers (Via, X-BlueCoat-Via, X-Zscaler-*, X-Cisco-*) are path markers that never decide', async (t) => {
  const forwardedOnly = MIDDLEBOX_MARKERS.filter((m) => ('header' in m.match && ['via', 'x-bluecoat-via'].includes(m.match.header)) || 'headerPrefix' in m.match);
  t.ok(forwardedOnly.length >= 5);
  for (const marker of forwardedOnly) t.equal(marker.evidence, 'path', `${marker.product}: ${JSON.stringify(marker.match)}`);
  for (const status of [403, 404, 500, 502, 503, 504]) {
    const headers = { via: '1.1 edge (squid/6.10), 1.1 wsa (Cisco-WSA/15.0), 1.1 mwg (McAfee Web Gateway 12)', 'x-bluecoat-via': 'a1', 'x-zscaler-transaction': 'b2', 'x-cisco-id': 'c3' };
    t.equal(recogniseDevice(status, headers, Buffer.from('<h1>Forbidden</h1>')), null, `the service's own ${status} through every proxy stays the service's`);
  }
});

t.test('a product name on a success is not a block page; nor is any by-status marker on a success', async (t) => {
  const names = 'Zscaler Netskope McAfee Web Gateway Skyhigh Web Gateway Cisco Umbrella Cisco Web Security Appliance Blue Coat ProxySG FortiGuard blocked Azure Firewall Action: Deny';
  t.equal(recogniseDevice(200, {}, Buffer.from(names)), null);
  t.equal(recogniseDevice(200, { server: 'squid/6.10', 'x-squid-error': 'ERR_ACCESS_DENIED 0', 'proxy-agent': 'x' }, Buffer.alloc(0)), null);
  t.match(recogniseDevice(403, {}, Buffer.from(names)), { kind: 'deny' }, 'the same names on a 403 are a device page');
});

t.test('what a by-status answer is', async (t) => {
  t.same([401, 407, 502, 503, 504, 403, 500, 470, 302].map(kindByStatus), ['auth', 'auth', 'gateway-error', 'gateway-error', 'gateway-error', 'deny', 'deny', 'deny', 'deny']);
});
