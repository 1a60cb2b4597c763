/**
 * The values of a catalog file's fields that need more than the schema checks: port specs,
 * host patterns, concrete host templates and the article a file cites. Each failure names
 * the file and key path through `file.fail`.
 */
import { quote } from '../model/text.js';
import type { RuleProtocol } from '../model/target.js';
import { PatternError, parseHostPattern, type HostPattern } from './host-pattern.js';
import type { ParsedFile, Path, RawArticle } from './parse-file.js';
import type { ArticleRef, PortSpec } from './types.js';

const PORT_SPEC_RE = /^(tcp|http|https|udp|any):(\d{1,5})(?:-(\d{1,5}))?$/;

/** `shown` is the value as the user wrote it, for the message. */
export function parsePortRange(file: ParsedFile, path: Path, text: string, shown = text): { from: number; to: number } {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!match) file.fail(path, `${quote(shown)} is not a port or a range like 29876-29877`);
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  for (const port of [from, to]) {
    if (port < 1 || port > 65535) file.fail(path, `port ${port} in ${quote(shown)} is out of range 1-65535`);
  }
  if (to < from) file.fail(path, `range ${quote(shown)} ends before it starts`);
  return { from, to };
}

export function parsePortSpecs(file: ParsedFile, path: Path, specs: string[]): PortSpec[] {
  const out: PortSpec[] = [];
  specs.forEach((text, index) => {
    const match = PORT_SPEC_RE.exec(text);
    if (!match) file.fail([...path, index], `${quote(text)} is not protocol:port (tcp, http, https, udp or any), like tcp:443, udp:5831 or tcp:29876-29877`);
    const { from, to } = parsePortRange(file, [...path, index], `${match[2]}${match[3] ? `-${match[3]}` : ''}`, text);
    for (let port = from; port <= to; port++) out.push({ protocol: match[1] as RuleProtocol, port });
  });
  return out;
}

export function parsePattern(file: ParsedFile, path: Path, text: string): HostPattern {
  try {
    return parseHostPattern(text);
  } catch (error) {
    if (error instanceof PatternError) file.fail(path, `host pattern ${quote(text)}: ${error.message}`);
    throw error;
  }
}

/** A name or representative: a concrete host, placeholders allowed, no wildcard. */
export function parseConcreteTemplate(file: ParsedFile, path: Path, text: string): string {
  const pattern = parsePattern(file, path, text);
  if (pattern.wildcard !== 'none') file.fail(path, `${quote(text)} must be a concrete host, not a wildcard`);
  if (pattern.path !== null) file.fail(path, `${quote(text)} must be a host without a URL path`);
  return text;
}

const GITHUB_REPO_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const ARTICLE_PATH_RE = /^(?:[A-Za-z0-9_-][A-Za-z0-9_.-]*\/)*[A-Za-z0-9_-][A-Za-z0-9_.-]*\.md$/;
const COMMIT_RE = /^[0-9a-f]{40}$/;

/** A commit, not a branch: the rows must point at the text they were read from, which a branch moves away from. */
export function articleOf(file: ParsedFile, raw: RawArticle | undefined): ArticleRef | null {
  if (raw === undefined) return null;
  if (!GITHUB_REPO_RE.test(raw.repo)) file.fail(['article', 'repo'], `${quote(raw.repo)} is not a GitHub repository like MicrosoftDocs/azure-ai-docs`);
  if (!ARTICLE_PATH_RE.test(raw.path) || raw.path.split('/').includes('..')) file.fail(['article', 'path'], `${quote(raw.path)} is not a Markdown file's path in the repository, like articles/machine-learning/how-to-managed-network.md`);
  if (!COMMIT_RE.test(raw.commit)) file.fail(['article', 'commit'], `${quote(raw.commit)} is not a commit: 40 lower-case hexadecimal digits`);
  return { ...raw, url: `https://github.com/${raw.repo}/blob/${raw.commit}/${raw.path}` };
}
