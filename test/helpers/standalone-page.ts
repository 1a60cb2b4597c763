import { createHash } from 'node:crypto';
import type { Test } from 'tap';

/** The five entities the HTML renderers write, decoded. */
export function decodeEntities(markup: string): string {
  return markup
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/** The first group `pattern` captures in `page`; throws when it does not match. */
export function element(page: string, pattern: RegExp): string {
  const found = pattern.exec(page)?.[1];
  if (found === undefined) throw new Error(`no match for ${pattern}`);
  return found;
}

/**
 * An HTML report stands alone (src/render/shared/html.ts renderPage): every link stays on the
 * page, nothing loads, one inline script, and the policy lets exactly its own style and script in.
 */
export function assertStandalonePage(t: Test, page: string): void {
  const links = [...page.matchAll(/\s(src|href|action|formaction|srcset|poster|data|xlink:href)\s*=\s*"([^"]*)"/gi)].map((m) => m[2] as string);
  t.same(
    links.filter((link) => !link.startsWith('#')),
    [],
    'no link leaves the page',
  );
  t.notMatch(page, /<(?:link|img|iframe|object|embed|base|form|audio|video|source)\b/i, 'no element that loads something');
  t.notMatch(page, /url\(|@import/i, 'the style loads nothing');
  t.equal(page.match(/<script\b/g)?.length, 1, 'one script, our own');
  t.match(page, /<script>[^]*<\/script>/, 'inline, without src');
  const style = element(page, /<style>([\s\S]*?)<\/style>/);
  const script = element(page, /<script>([\s\S]*?)<\/script>/);
  const policy = decodeEntities(element(page, /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/));
  const sha = (s: string): string => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
  t.equal(policy, `default-src 'none'; style-src ${sha(style)}; script-src ${sha(script)}; base-uri 'none'; form-action 'none'`);
}
