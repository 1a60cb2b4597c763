import t from 'tap';
import type { RulesPlan } from '../../../src/remedies/plan.js';
import { renderRulesDns } from '../../../src/render/rules/dns.js';
import { renderRulesMarkdown } from '../../../src/render/rules/markdown.js';
import { otherFixesAsComments } from '../../../src/render/rules/script.js';

// A sinkholed name is fixed on the DNS filter: every renderer that lists DNS fixes says so, none proposes a rule.

const plan: RulesPlan = {
  origin: 'report',
  cloud: 'public',
  region: 'westus2',
  allow: [],
  findings: [{ target: 'conda.anaconda.org:443', host: 'conda.anaconda.org', port: 443, reason: 'dns-sinkholed', features: ['python-packages'], remedies: [{ kind: 'dns-filter-allow', host: 'conda.anaconda.org' }] }],
  privateNames: [],
  noProxy: [],
};
const FIX = "allow conda.anaconda.org on the DNS filter that answered for it (the resolver's block list, a DNS security policy or DNS firewall), or use a resolver that does not filter it; a firewall rule cannot fix a DNS answer";

t.test('rules -o dns lists the sinkholed name with its filter fix', async (t) => {
  t.match(renderRulesDns(plan), `Other DNS failures:\n  conda.anaconda.org:443: ${FIX}\n`);
});

t.test('the markdown and the firewall scripts carry it as a fix no rule gives', async (t) => {
  t.match(renderRulesMarkdown(plan), FIX);
  t.same(otherFixesAsComments(plan, '#'), ['# Not fixed by a firewall rule:', `# conda.anaconda.org:443 (dns-sinkholed): ${FIX}`, '']);
});
