/**
 * What proxies, firewalls and inspection devices leave on an HTTP answer they write
 * themselves, in place of the service: the one table the HTTP classification reads
 * (`recogniseDevice` in src/probers/classify/http.ts). Each row cites where its marker comes from:
 * the vendor's documentation, or "well-known behaviour" where no documentation was found, in
 * which case the marker is kept narrow.
 *
 * Two kinds of evidence, never mixed up:
 * - `author`: the device wrote this answer (Squid's X-Squid-Error, a block page's own template,
 *   a redirect to the device's portal, Azure Firewall's 470). Only these decide a verdict.
 * - `path`: the device is on the path, but answers it merely forwards carry the marker too
 *   (Via, X-BlueCoat-Via, X-Zscaler-*, X-Cisco-*). They never decide: the service's own 403
 *   through a Squid carries `Via: 1.1 … (squid/6.1)` and is still the service answering.
 *   They only name the device when an author marker did not (a bare 407, a Proxy-Agent).
 *
 * A false "denied" is as bad as a false "reachable", so a marker that is only a product name
 * counts on an error status (4xx, 5xx) only: a 200 page that mentions Zscaler is a page about
 * Zscaler.
 */

/** What kind of answer the device gave in the service's place. */
export type DeviceAnswerKind =
  /** A deny or block page: policy refused the request. */
  | 'deny'
  /** An authentication challenge: the device wants credentials before it lets anything through. */
  | 'auth'
  /** A gateway error: the device tried and could not reach the host (or its name). */
  | 'gateway-error';

/**
 * A forward proxy (its deny is fixed on the proxy, when it is the configured one) or another
 * device on the path: a firewall, an inspection or filtering appliance (its deny is fixed by
 * the firewall's allow rule).
 */
export type DeviceRole = 'proxy' | 'firewall';

/** Where a marker is found on the answer. */
export type MarkerMatch =
  /** A response header (lower case) present, optionally with a value matching `value`. */
  | { readonly header: string; readonly value?: RegExp }
  /** Any response header whose name starts with this (lower case). */
  | { readonly headerPrefix: string }
  /** Every pattern found in the start of the body (the prober reads at most 4 KiB). */
  | { readonly body: readonly RegExp[] }
  /** A status only one device uses. */
  | { readonly status: number };

export interface MiddleboxMarker {
  /** The product as an admin knows it; null for a generic proxy marker that names nobody. */
  readonly product: string | null;
  readonly role: DeviceRole;
  readonly match: MarkerMatch;
  /** On which statuses the marker counts: any, errors (4xx and 5xx) only, or redirects (3xx) only. */
  readonly on: 'any' | 'error' | 'redirect';
  /** Narrower still: only on these statuses (tinyproxy's 500 means it could not connect). */
  readonly onStatus?: readonly number[];
  /**
   * The kind of answer, or `by-status`: 401 and 407 are a challenge, 502, 503 and 504 a
   * gateway error, any other error a deny.
   */
  readonly kind: DeviceAnswerKind | 'by-status';
  readonly evidence: 'author' | 'path';
  /** The header whose first word says what happened (Squid's `ERR_ACCESS_DENIED`), shown in the verdict. */
  readonly detailHeader?: string;
  /** Whether an excerpt of the page says more than the status (Azure Firewall's "Action: Deny. …"). */
  readonly showsPage?: boolean;
  readonly source: string;
}

const SQUID_ERRORPAGE = 'https://www.squid-cache.org/Doc/code/errorpage_8cc.dyn (every error reply Squid writes carries X-Squid-Error: ERR_… and Server: squid); https://www.squid-cache.org/Doc/config/deny_info (a denial is 403 by default)';
const AZURE_FIREWALL = 'https://learn.microsoft.com/en-us/azure/firewall/rule-processing (application rules deny by default); https://http.dev/470 (the 470 answer and its "Action: Deny. Reason: No rule matched." body)';

/**
 * In order: the first `author` row that matches decides, so the specific markers (a header
 * naming the error, a template) come before the bare product names.
 */
export const MIDDLEBOX_MARKERS: readonly MiddleboxMarker[] = [
  // ---- Squid ----
  { product: 'Squid', role: 'proxy', match: { header: 'x-squid-error' }, on: 'any', kind: 'by-status', evidence: 'author', detailHeader: 'x-squid-error', source: SQUID_ERRORPAGE },
  { product: 'Squid', role: 'proxy', match: { header: 'server', value: /^squid\b/i }, on: 'error', kind: 'by-status', evidence: 'author', source: SQUID_ERRORPAGE },
  // ---- Azure Firewall ----
  { product: 'Azure Firewall', role: 'firewall', match: { status: 470 }, on: 'any', kind: 'deny', evidence: 'author', showsPage: true, source: AZURE_FIREWALL },
  { product: 'Azure Firewall', role: 'firewall', match: { body: [/Action:\s*Deny\b/i] }, on: 'error', kind: 'deny', evidence: 'author', showsPage: true, source: AZURE_FIREWALL },
  { product: 'Azure Firewall', role: 'firewall', match: { body: [/\bAzure Firewall\b/i] }, on: 'error', kind: 'by-status', evidence: 'author', showsPage: true, source: AZURE_FIREWALL },
  // ---- Palo Alto Networks ----
  {
    product: 'Palo Alto Networks',
    role: 'firewall',
    // PAN-OS serves its block page with a 503, so the template decides, not the status.
    match: { body: [/Web Page Blocked/i, /blocked in accordance with company policy/i] },
    on: 'any',
    kind: 'deny',
    evidence: 'author',
    source: 'https://docs.paloaltonetworks.com/pan-os/9-1/pan-os-admin/url-filtering/url-filtering-response-pages (the predefined "Web Page Blocked" response page); its 503 status is well-known behaviour',
  },
  // ---- Fortinet ----
  {
    product: 'FortiGate',
    role: 'firewall',
    // The images of every FortiGate replacement message come from this fixed path on the unit.
    match: { body: [/\/XX\/YY\/ZZ\/CI\/MGPGHGPGPFGHCDPFGG/] },
    on: 'any',
    kind: 'deny',
    evidence: 'author',
    source: 'https://docs.fortinet.com/document/fortigate/6.0.0/cli-reference/188312/system-replacemsg-fortiguard-wf (FortiGuard replacement messages replace blocked pages); the /XX/YY/ZZ/CI/ image path is well-known behaviour',
  },
  {
    product: 'FortiGate',
    role: 'firewall',
    match: { body: [/\bForti(?:Guard|Gate)\b/, /\b(?:blocked|violation)\b/i] },
    on: 'error',
    kind: 'deny',
    evidence: 'author',
    source: 'https://docs.fortinet.com/document/fortigate/6.0.0/cli-reference/188312/system-replacemsg-fortiguard-wf (ftgd-block: "FortiGuard Web Filtering … blocks a web page")',
  },
  // ---- Check Point ----
  {
    product: 'Check Point',
    role: 'firewall',
    match: { header: 'location', value: /\/UserCheck\/PortalMain\b/i },
    on: 'redirect',
    kind: 'deny',
    evidence: 'author',
    source: 'https://sc1.checkpoint.com/documents/R81.10/SmartConsole_OLH/EN/Topics-OLH/etXd6WIMEpN_sIIpSIuoqg2.htm (a UserCheck action redirects the browser to the UserCheck portal); the /UserCheck/PortalMain path is well-known behaviour',
  },
  // ---- Forcepoint / Websense ----
  {
    product: 'Forcepoint',
    role: 'proxy',
    match: { header: 'location', value: /:15871\/cgi-bin\/blockpage\.cgi/i },
    on: 'redirect',
    kind: 'deny',
    evidence: 'author',
    source: 'http://www.websense.com/content/support/library/deployctr/v762/fs_serv_info_rdf_scr.aspx (Filtering Service sends block pages from port 15871); the blockpage.cgi path is well-known behaviour',
  },
  {
    product: 'Forcepoint',
    role: 'proxy',
    match: { body: [/\/cgi-bin\/blockpage\.cgi\?ws-session=/i] },
    on: 'any',
    kind: 'deny',
    evidence: 'author',
    source: 'https://help.forcepoint.com/websec/en-us/on-prem/85/block_pages/9c5c0934-87fe-46fc-a4d2-2895374eae23.html (the block page frames); the ws-session parameter is well-known behaviour',
  },
  // ---- Generic proxy answers ----
  {
    product: null,
    role: 'proxy',
    match: { status: 407 },
    on: 'any',
    kind: 'auth',
    evidence: 'author',
    source: 'https://www.rfc-editor.org/rfc/rfc9110#name-407-proxy-authentication-re (only a proxy answers 407)',
  },
  {
    product: null,
    role: 'proxy',
    match: { header: 'proxy-authenticate' },
    on: 'error',
    kind: 'auth',
    evidence: 'author',
    source: "https://www.rfc-editor.org/rfc/rfc9110#name-proxy-authenticate (a proxy's challenge, never a service's)",
  },
  // ---- Proxies that sign their own pages in the Server header ----
  {
    product: 'tinyproxy',
    role: 'proxy',
    match: { header: 'server', value: /\btinyproxy\b/i },
    on: 'error',
    // Where others answer 502, tinyproxy answers "500 Unable to connect", to a CONNECT as to plain http.
    onStatus: [500],
    kind: 'gateway-error',
    evidence: 'author',
    source: 'https://github.com/tinyproxy/tinyproxy (src/reqs.c: "500 Unable to connect" when the upstream connect fails); checked against tinyproxy 1.11.1',
  },
  {
    product: 'tinyproxy',
    role: 'proxy',
    match: { header: 'server', value: /\btinyproxy\b/i },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://github.com/tinyproxy/tinyproxy (src/html-error.c sends "Server: tinyproxy/<version>" with every page it writes: 403 "Access violation", 401, 500); checked against tinyproxy 1.11.1',
  },
  { product: 'Privoxy', role: 'proxy', match: { header: 'server', value: /\bprivoxy\b/i }, on: 'error', kind: 'by-status', evidence: 'author', source: 'well-known behaviour (Privoxy names itself in the Server header of the pages it writes)' },
  {
    product: 'Zscaler',
    role: 'proxy',
    match: { header: 'server', value: /\bzscaler\b/i },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://help.zscaler.com/zia/about-acceptable-use-policy-and-end-user-notifications (the Zscaler service serves its own block notifications); the Server header is well-known behaviour',
  },
  {
    product: 'Symantec ProxySG (Blue Coat)',
    role: 'proxy',
    match: { header: 'server', value: /\b(?:blue ?coat|proxysg)\b/i },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://support.symantec.com/en_US/article.TECH253382.html (ProxySG answers with its own exception pages); the Server header is well-known behaviour',
  },
  {
    product: 'Skyhigh (McAfee) Web Gateway',
    role: 'proxy',
    match: { header: 'server', value: /\b(?:mcafee web gateway|skyhigh)\b/i },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://success.skyhighsecurity.com/Skyhigh_Secure_Web_Gateway_(Cloud)/Configuring_a_Web_Policy/Working_with_End_User_Notification_Pages/About_Working_with_End_User_Notification_Pages (the gateway sends its own notification pages)',
  },
  { product: 'FortiGate', role: 'firewall', match: { header: 'server', value: /\bforti(?:gate|web|proxy)\b/i }, on: 'error', kind: 'by-status', evidence: 'author', source: 'well-known behaviour' },
  { product: 'Forcepoint', role: 'proxy', match: { header: 'server', value: /\b(?:forcepoint|websense)\b/i }, on: 'error', kind: 'by-status', evidence: 'author', source: 'well-known behaviour' },
  {
    product: null,
    role: 'proxy',
    // An old header proxies put on the answers they write themselves (CONNECT replies, error pages).
    match: { header: 'proxy-agent' },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'well-known behaviour (RFC 2068 era; Squid, Apache mod_proxy and appliances still send it on their own answers)',
  },
  // ---- Product names on an error page: the device's own page, kept to error statuses ----
  {
    product: 'Zscaler',
    role: 'proxy',
    match: { body: [/\bZscaler\b/] },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://help.zscaler.com/unified/configuring-block-notifications (the Zscaler service shows its notification page, or a 403 without SSL inspection)',
  },
  { product: 'Netskope', role: 'proxy', match: { body: [/\bNetskope\b/] }, on: 'error', kind: 'by-status', evidence: 'author', source: 'https://docs.netskope.com/en/policy-notification-templates.html (Netskope serves its block and alert notification pages)' },
  {
    product: 'Skyhigh (McAfee) Web Gateway',
    role: 'proxy',
    match: { body: [/\b(?:McAfee|Skyhigh) (?:Secure )?Web Gateway\b/] },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://success.skyhighsecurity.com/Skyhigh_Secure_Web_Gateway_(Cloud)/Web_Policy/Web_Policy_Code_View/How_to_Modify_the_Web_Policy_Code_Using_the_Code_View%3A_Block_Pages (block pages name the gateway)',
  },
  { product: 'Cisco Umbrella', role: 'firewall', match: { body: [/\bCisco Umbrella\b/] }, on: 'error', kind: 'by-status', evidence: 'author', source: 'well-known behaviour (the Umbrella secure web gateway names itself on its block page)' },
  {
    product: 'Cisco Web Security Appliance',
    role: 'proxy',
    match: { body: [/\bCisco Web Security Appliance\b/] },
    on: 'error',
    kind: 'by-status',
    evidence: 'author',
    source: 'https://www.cisco.com/c/en/us/td/docs/security/wsa/wsa_14-0/User-Guide/b_WSA_UserGuide_14_0/b_WSA_UserGuide_11_7_chapter_010001.html (end-user notification pages for blocked requests, sent with a 403)',
  },
  { product: 'Symantec ProxySG (Blue Coat)', role: 'proxy', match: { body: [/\b(?:Blue Coat|ProxySG)\b/] }, on: 'error', kind: 'by-status', evidence: 'author', source: 'https://support.symantec.com/en_US/article.TECH253382.html (ProxySG exception pages)' },
  // ---- Path markers: name a device, never decide ----
  { product: 'Squid', role: 'proxy', match: { header: 'via', value: /\bsquid\b/i }, on: 'any', kind: 'by-status', evidence: 'path', source: 'https://www.squid-cache.org/Doc/config/via (Squid adds itself to Via on everything it forwards)' },
  { product: 'tinyproxy', role: 'proxy', match: { header: 'via', value: /\btinyproxy\b/i }, on: 'any', kind: 'by-status', evidence: 'path', source: 'https://github.com/tinyproxy/tinyproxy (ViaProxyName, "tinyproxy" by default)' },
  { product: 'Symantec ProxySG (Blue Coat)', role: 'proxy', match: { header: 'x-bluecoat-via' }, on: 'any', kind: 'by-status', evidence: 'path', source: 'well-known behaviour (ProxySG adds X-BlueCoat-Via to what it forwards)' },
  { product: 'Zscaler', role: 'proxy', match: { headerPrefix: 'x-zscaler-' }, on: 'any', kind: 'by-status', evidence: 'path', source: 'well-known behaviour' },
  { product: 'Cisco Web Security Appliance', role: 'proxy', match: { header: 'via', value: /\bCisco-WSA\b/i }, on: 'any', kind: 'by-status', evidence: 'path', source: 'well-known behaviour (the WSA proxy adds itself to Via)' },
  { product: 'Cisco', role: 'proxy', match: { headerPrefix: 'x-cisco-' }, on: 'any', kind: 'by-status', evidence: 'path', source: 'well-known behaviour' },
  { product: 'Skyhigh (McAfee) Web Gateway', role: 'proxy', match: { header: 'via', value: /\b(?:McAfee Web Gateway|Skyhigh)\b/i }, on: 'any', kind: 'by-status', evidence: 'path', source: 'well-known behaviour (the gateway adds itself to Via)' },
];

/** The kind an answer of a `by-status` marker is, from its status. */
export function kindByStatus(status: number): DeviceAnswerKind {
  if (status === 401 || status === 407) return 'auth';
  if (status === 502 || status === 503 || status === 504) return 'gateway-error';
  return 'deny';
}
