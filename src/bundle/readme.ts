import type { Collector, CollectorOutcome } from './contract.js';
import type { Manifest } from './manifest.js';

/** README.txt: what the engineer opening the ticket finds where, and what could not be collected. */
export function renderReadme(manifest: Omit<Manifest, 'files'>, collectors: readonly Collector[], fileNames: readonly string[]): string {
  const describes = new Map(collectors.map((c) => [c.name, c.describes]));
  const lines: string[] = [
    `aml-netcheck support bundle`,
    ``,
    `Made by aml-netcheck ${manifest.tool.version} on ${manifest.host} at ${manifest.createdAt}.`,
    `Command: ${manifest.command.join(' ')}`,
    `The check ${manifest.check.complete ? 'ran to the end' : `was cut short (${manifest.check.stoppedBy ?? 'unknown'})`} and exited ${manifest.check.exitCode}` +
      (manifest.check.featuresBroken.length > 0 ? `; broken features: ${manifest.check.featuresBroken.join(', ')}.` : '; no feature broken.'),
    ``,
    `Start with report.md (or report.html in a browser); report.json is the same report for`,
    `scripts (schema/report.schema.json in the aml-netcheck package describes it).`,
    ``,
    `Secrets were redacted before anything was written: passwords in URLs, SAS tokens, bearer`,
    `tokens and JWTs, Authorization and Cookie values, storage keys, connection-string secrets,`,
    `and the patterns given with --redact. They show as [redacted].`,
    ``,
    `What each part collected:`,
  ];
  for (const outcome of manifest.collectors) lines.push(...describeOutcome(outcome, describes.get(outcome.collector) ?? ''));
  lines.push('', 'Files:', ...fileNames.map((name) => `  ${name}`), "  manifest.json   every file above with its size and SHA-256, and each part's outcome");
  lines.push('', 'Check that nothing changed since it was made:  aml-netcheck bundle verify FILE.tar.gz', '');
  return lines.join('\n');
}

function describeOutcome(outcome: CollectorOutcome, describes: string): string[] {
  const head = `  ${outcome.collector} (${outcome.status}): ${describes}`;
  const where = outcome.files.length > 0 ? [`      in ${outcome.files.join(', ')}`] : [];
  return [head, ...where, ...outcome.problems.map((p) => `      ${outcome.status === 'ok' ? '' : `${outcome.status === 'partial' ? 'could not read' : outcome.status}: `}${p}`)];
}
