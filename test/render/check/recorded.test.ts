/**
 * Every text format, rendered from every report recorded in the simulated VNet: the content
 * an admin acts on must be there, whichever scenario produced it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import t from 'tap';
import { breaksFeature } from '../../../src/report/features.js';
import type { CheckReport } from '../../../src/report/report.js';
import { CHECK_RENDERERS, type CheckFormat } from '../../../src/render/check/registry.js';
import { PLAIN } from '../../../src/render/shared/terminal.js';
import { malformedTables } from '../../helpers/markdown.js';
import { loadAll } from '../../helpers/render.js';

const DIR = new URL('../../fixtures/reports/', import.meta.url);
const NAMES = readdirSync(DIR).filter((name) => name.endsWith('.json'));
const RENDERERS = await loadAll(CHECK_RENDERERS);
const render = (report: CheckReport, format: CheckFormat): string => [...RENDERERS[format](report, PLAIN)].join('');
const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

for (const name of NAMES) {
  const report = JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as CheckReport;
  const broken = report.features.filter((f) => f.status === 'broken');
  const blocked = report.targets.filter(breaksFeature);

  t.test(name, async (t) => {
    t.same(JSON.parse(render(report, 'json')), report, 'json: the report itself');

    const table = render(report, 'table');
    for (const feature of broken) t.match(table, new RegExp(`^BROKEN +${feature.name.replace(/[()]/g, '\\$&')} \\(${feature.id}\\)$`, 'm'), `table: ${feature.id} broken`);
    for (const target of blocked) for (const fix of target.fix) t.ok(table.replace(/\s+/g, ' ').includes(fix.replace(/\s+/g, ' ')), `table: the fix for ${target.id}`);

    const markdown = render(report, 'markdown');
    t.same(malformedTables(markdown), [], 'markdown: tables well formed');
    for (const feature of broken) t.ok(markdown.includes(`(\`${feature.id}\`)`), `markdown: ${feature.id} named broken`);
    for (const target of blocked) t.match(markdown, new RegExp(`^\\| \`${target.id.replace(/[.*]/g, '\\$&')}\` \\|.*\\| \`${target.reason}\` \\|`, 'm'), `markdown: ${target.id} with its reason`);

    const xml = render(report, 'junit');
    t.equal(XMLValidator.validate(xml), true, 'junit: well-formed XML');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { testsuites: { testsuite: unknown } };
    const suites = asList(parsed.testsuites.testsuite as Array<{ name: string; tests: string; failures: string; testcase?: unknown }>);
    t.equal(suites.length, report.features.length, 'junit: one testsuite per feature');
    for (const feature of report.features) {
      const suite = suites.find((s) => s.name === `${feature.name} (${feature.id})`);
      const targets = report.targets.filter((x) => x.features.includes(feature.id));
      t.equal(Number(suite?.tests), targets.length, `junit: ${feature.id} has a testcase per target`);
      t.equal(Number(suite?.failures), targets.filter(breaksFeature).length, `junit: ${feature.id} fails once per blocked required target`);
      t.equal(Number(suite?.failures) > 0, feature.status === 'broken', `junit: ${feature.id} fails exactly when broken`);
    }
  });
}
