import { diffReports, type ReportDiff } from '../../src/report/diff.js';
import { readReport } from '../../src/report/read.js';
import type { CheckReport } from '../../src/report/report.js';

const HOSTILE = 'Action: Deny | <script>alert(1)</script> ]]> \u001b[2J `tick` --';

export function recordedReport(name: string): CheckReport {
  return readReport(`test/fixtures/reports/${name}.json`);
}

/**
 * A diff with every kind of change, from recorded runs: a firewall that went from dropping
 * SMB and resetting HTTP to a proxy that wants credentials, with text from outside (a deny
 * page, a feature name from a user catalog) that tries to break every format.
 */
export function sampleDiff(): ReportDiff {
  const before = structuredClone(recordedReport('firewall-the-firewall-drops-smb-and-resets-http-tcp-timeout-and-tcp-refused-each-breaking-')) as unknown as Record<string, any>;
  const after = structuredClone(recordedReport('proxy-a-wrong-password-blocked-at-the-proxy-and-the-wrong-password-is-not-shown-either')) as unknown as Record<string, any>;
  after['targets'][1].detail = HOSTILE;
  after['targets'][1].fix = [`allow ${HOSTILE}`];
  after['features'][0].name = `Azure AD ${HOSTILE}`;
  after['features'][0].impact = `Nobody signs in ${HOSTILE}`;
  // One more target in each run only, and one without a verdict after.
  after['targets'].push({ ...after['targets'][2], id: 'new.example.com:443', host: 'new.example.com', verdict: 'reachable', reason: null, detail: 'HTTP 200' });
  before['targets'].push({ ...before['targets'][2], id: 'old.example.com:443', host: 'old.example.com' });
  after['targets'].push({ ...after['targets'][2], id: 'slow.example.com:443', host: 'slow.example.com', verdict: 'unknown', reason: 'aborted', detail: 'not finished' });
  before['targets'].push({ ...before['targets'][2], id: 'slow.example.com:443', host: 'slow.example.com' });
  return diffReports(before as unknown as CheckReport, after as unknown as CheckReport);
}

export const HOSTILE_TEXT = HOSTILE;
