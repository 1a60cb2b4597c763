import { createHash } from 'node:crypto';
import type { FeatureStatus, Verdict } from '../../model/result.js';
import { escapeControl } from '../../model/text.js';

/**
 * The building blocks of every HTML report: escaping, a page shell that stands alone (inline
 * style and script, nothing fetched), a sortable and filterable table, and the colour tones.
 * A report is one file an admin can mail or attach to a ticket and open anywhere, offline.
 */

/** Markup known to be safe: written here, or built by `html` from escaped values. */
export class Html {
  constructor(readonly markup: string) {}
}

/** What `html` accepts in a hole. Nothing (false, null, undefined) renders as nothing, so `${cond && html`…`}` works. */
export type HtmlValue = Html | string | number | false | null | undefined | readonly HtmlValue[];

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe for HTML, in an element or a quoted attribute alike. Control characters
 * and bidi marks become visible escapes first (`\x1b`, `\u202e`): a deny page must neither
 * hide text nor reorder what the admin reads.
 */
export function escapeHtml(text: string): string {
  return escapeControl(text).replace(/[&<>"']/g, (char) => ENTITIES[char] as string);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  if (value === false || value === null || value === undefined) return '';
  return escapeHtml(String(value));
}

/**
 * The one way markup is written: every string or number in a hole is escaped, nested `html`
 * is kept, arrays are joined. Holes go in element content or in double-quoted attribute
 * values, never in a tag name, an unquoted attribute, a script or a style.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/**
 * A long name (host, URL, target id) that may wrap after its dots, dashes, slashes and colons,
 * so a narrow column breaks it between labels rather than anywhere.
 */
export function breakable(text: string): Html {
  return new Html(
    text
      .split(/(?<=[./:-])/)
      .map(escapeHtml)
      .join('<wbr>'),
  );
}

/**
 * A value as JSON inside `<script type="application/json">`: `<`, `>` and `&` are written as
 * `\u003c`… so no text, `</script>` or `<!--` included, can end the element early; U+2028 and
 * U+2029 likewise, for any reader that takes the JSON for JavaScript.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A data block for the page's script to read; the browser never runs it. */
export function jsonScript(id: string, value: unknown): Html {
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${jsonForScript(value)}</script>`);
}

// ---- Colour ---------------------------------------------------------------------------

/** Colour by meaning, not by source: every report paints bad, warn, unknown, good and muted alike. */
export type Tone = 'bad' | 'warn' | 'unknown' | 'good' | 'muted';

export const FEATURE_TONE: Readonly<Record<FeatureStatus, Tone>> = { broken: 'bad', degraded: 'warn', unknown: 'unknown', ok: 'good', 'not-checked': 'muted' };
export const VERDICT_TONE: Readonly<Record<Verdict, Tone>> = { blocked: 'bad', warning: 'warn', unknown: 'unknown', reachable: 'good', skipped: 'muted' };

/** A coloured label; the word carries the meaning too, for print and for colour-blind readers. */
export function badge(label: string, tone: Tone): Html {
  return html`<span class="badge tone-${tone}">${label}</span>`;
}

/** A count and what it counts, toned by what it means; a zero is muted whatever it counts. */
export function tile(count: number, label: string, tone: Tone): Html {
  return html`<div class="tile tone-${count === 0 ? 'muted' : tone}"><span class="n">${count}</span> ${label}</div>`;
}

/** Why a view that compares runs (diff, merge) may mislead, above everything else it says. */
export function warningsBanner(title: string, warnings: readonly string[]): Html | '' {
  return warnings.length === 0 ? '' : html`<div class="banner tone-warn" role="note"><strong>${title}</strong><ul>${warnings.map((w) => html`<li>${w}</li>`)}</ul></div>`;
}

/** The style the views of several runs (diff, merge) share: their count tiles, lists and fixes. */
export const RUNS_STYLE = `
.tiles{display:flex;gap:10px;flex-wrap:wrap;margin:12px 0}
.tile{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--tone);border-radius:6px;padding:8px 12px;min-width:8em}
.tile .n{font-size:20px;font-weight:700;color:var(--tone);margin-right:4px}
ul.plain{list-style:none;margin:0;padding:0}
.fix{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px;overflow-wrap:anywhere}
td.detail{max-width:32em;overflow-wrap:anywhere}
.banner ul{margin:4px 0 0;padding-left:20px}
`;

// ---- Sortable, filterable table ------------------------------------------------------

export interface Column {
  readonly label: string;
  /** Sorts by number (timings, counts): the cells' sort keys are numbers, empty ones last. */
  readonly numeric?: boolean;
  /** A hint shown on hover: what the column holds, its unit. */
  readonly title?: string;
  readonly className?: string;
}

export interface Cell {
  readonly content: HtmlValue;
  /** What the column sorts by when it is not the text shown: a number, a rank. Empty sorts last. */
  readonly sort?: string | number | null;
  readonly className?: string;
}

export interface Row {
  readonly cells: readonly Cell[];
  /** Words the choice filter matches (a verdict, `problem`). */
  readonly tags: readonly string[];
  readonly className?: string;
}

export interface TableSpec {
  readonly id: string;
  readonly caption: string;
  readonly columns: readonly Column[];
  /** In the order the page opens with; sorting later keeps this order among equals. */
  readonly rows: readonly Row[];
  /** The column the rows come sorted by, so the header says so from the start. */
  readonly sortedBy?: { readonly column: number; readonly direction: 'ascending' | 'descending' };
}

/**
 * A complete table in plain HTML: readable, printable and searchable with JavaScript off.
 * The page script turns its headers into sort buttons.
 */
export function sortableTable(spec: TableSpec): Html {
  const head = spec.columns.map((column, i) => {
    const sort = spec.sortedBy?.column === i ? spec.sortedBy.direction : null;
    return html`<th scope="col"${column.numeric ? html` data-type="number"` : ''}${column.className ? html` class="${column.className}"` : ''}${column.title ? html` title="${column.title}"` : ''}${sort ? html` aria-sort="${sort}"` : ''}>${column.label}</th>`;
  });
  const body = spec.rows.map(
    (row) =>
      html`<tr data-tags="${row.tags.join(' ')}"${row.className ? html` class="${row.className}"` : ''}>${row.cells.map((cell, i) => {
        const classes = [spec.columns[i]?.className, cell.className].filter(Boolean).join(' ');
        const sort = cell.sort === undefined ? '' : html` data-sort="${cell.sort ?? ''}"`;
        return html`<td${classes ? html` class="${classes}"` : ''}${sort}>${cell.content}</td>`;
      })}</tr>\n`,
  );
  return html`<table id="${spec.id}" class="data" data-sortable>
<caption>${spec.caption}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}</tbody>
</table>`;
}

export interface FilterChoice {
  readonly value: string;
  readonly label: string;
}

/**
 * A search box and a choice list for a sortableTable. Hidden until the script runs: without
 * JavaScript there is nothing it could do, and the whole table is there anyway.
 */
export function tableFilter(spec: { readonly table: string; readonly label: string; readonly choiceLabel: string; readonly choices: readonly FilterChoice[] }): Html {
  return html`<div class="controls" data-filter-for="${spec.table}" hidden>
<label>${spec.label} <input type="search" autocomplete="off" spellcheck="false"></label>
<label>${spec.choiceLabel} <select>${spec.choices.map((c) => html`<option value="${c.value}">${c.label}</option>`)}</select></label>
<output aria-live="polite"></output>
</div>`;
}

// ---- Page ----------------------------------------------------------------------------

const BASE_STYLE = `
:root{color-scheme:light dark;--bg:#f5f6f8;--fg:#1b2330;--muted:#5b6575;--card:#fff;--line:#d8dde5;--head:#eef1f5;--accent:#1f5fbf;
--bad:#b3261e;--bad-bg:#fde8e6;--warn:#8a5300;--warn-bg:#fff1d6;--unknown:#7a3aa0;--unknown-bg:#f2e6fa;--good:#1f7a35;--good-bg:#e3f4e6;--mute:#6b7280;--mute-bg:#eceef2;
--dns:#5b8def;--tcp:#2bb3a3;--tls:#a77be0;--http:#e7a33e}
@media screen and (prefers-color-scheme:dark){:root{--bg:#12151a;--fg:#e4e8ee;--muted:#9aa4b2;--card:#1a1f26;--line:#2e3541;--head:#212731;--accent:#7fb0ff;
--bad:#ff8a80;--bad-bg:#3d1c1c;--warn:#ffc266;--warn-bg:#3a2b12;--unknown:#d7a6f5;--unknown-bg:#2f2139;--good:#7ed68f;--good-bg:#15301d;--mute:#9aa4b2;--mute-bg:#262c35}}
*{box-sizing:border-box}
[hidden]{display:none !important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1560px;margin:0 auto;padding:20px 20px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:32px 0 10px}h3{font-size:14px;margin:0}
a{color:var(--accent)}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
.muted{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:14px 16px}
nav{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0 0;font-size:13px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;letter-spacing:.02em}
.tone-bad{--tone:var(--bad);--tone-bg:var(--bad-bg)}.tone-warn{--tone:var(--warn);--tone-bg:var(--warn-bg)}
.tone-unknown{--tone:var(--unknown);--tone-bg:var(--unknown-bg)}.tone-good{--tone:var(--good);--tone-bg:var(--good-bg)}
.tone-muted{--tone:var(--mute);--tone-bg:var(--mute-bg)}
.badge[class*=tone-]{color:var(--tone);background:var(--tone-bg);border:1px solid color-mix(in srgb,var(--tone) 35%,transparent)}
.banner{border-left:5px solid var(--tone);background:var(--tone-bg);padding:10px 14px;border-radius:6px;margin:12px 0}
.banner strong{color:var(--tone)}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line)}
caption{text-align:left;padding:0 0 6px;color:var(--muted);font-size:13px}
th,td{padding:6px 7px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--head);font-size:11.5px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);position:sticky;top:0;z-index:1;white-space:nowrap}
th[data-type=number],td.num{text-align:right}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
th button{all:unset;cursor:pointer;display:inline-flex;gap:4px;align-items:center}
th button:focus-visible{outline:2px solid var(--accent);outline-offset:2px;border-radius:2px}
th button::after{content:"\\2195";opacity:.35;font-size:11px}
th[aria-sort=ascending] button::after{content:"\\25B2";opacity:1}
th[aria-sort=descending] button::after{content:"\\25BC";opacity:1}
th[aria-sort]{color:var(--fg)}
tbody tr:hover td{background:color-mix(in srgb,var(--accent) 6%,transparent)}
tr[class*=tone-] td:first-child{box-shadow:inset 4px 0 var(--tone)}
.controls{display:flex;gap:16px;align-items:center;flex-wrap:wrap;margin:0 0 10px}
.controls input,.controls select{font:inherit;padding:5px 8px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.controls input{width:22em}
.controls output{color:var(--muted);font-size:13px}
@media print{:root{color-scheme:light;--bg:#fff;--card:#fff;--fg:#000;--head:#eee}main{max-width:none;padding:0}
.controls,nav{display:none}tbody tr[hidden]{display:table-row !important}thead th{position:static}thead{display:table-header-group}tr{break-inside:avoid}th button::after{content:none}
.card,table{border-color:#bbb}}
`;

/**
 * Sorts a `table[data-sortable]` by the clicked header (again: the other way), numbers as
 * numbers, empty cells last either way, equals in the order the page opened with; filters the
 * rows by the words typed and the choice made in its `[data-filter-for]` controls.
 */
const BASE_SCRIPT = `
'use strict';
(() => {
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });
  const keyOf = (row, column) => {
    const cell = row.cells[column];
    if (!cell) return '';
    const key = cell.getAttribute('data-sort');
    return key === null ? cell.textContent.trim() : key;
  };
  const sortTable = (table, column, direction) => {
    const headers = table.tHead.rows[0].cells;
    const numeric = headers[column].getAttribute('data-type') === 'number';
    const body = table.tBodies[0];
    const sign = direction === 'ascending' ? 1 : -1;
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = keyOf(a, column);
      const y = keyOf(b, column);
      let order = 0;
      if (x === '' || y === '') order = x === y ? 0 : x === '' ? 1 : -1;
      else order = sign * (numeric ? Number(x) - Number(y) : collator.compare(x, y));
      return order || Number(a.dataset.order) - Number(b.dataset.order);
    });
    body.append(...rows);
    for (const header of headers) header.removeAttribute('aria-sort');
    headers[column].setAttribute('aria-sort', direction);
  };
  for (const table of document.querySelectorAll('table[data-sortable]')) {
    Array.from(table.tBodies[0].rows).forEach((row, i) => { row.dataset.order = String(i); });
    Array.from(table.tHead.rows[0].cells).forEach((header, column) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.append(...header.childNodes);
      header.append(button);
      button.addEventListener('click', () => {
        sortTable(table, column, header.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending');
      });
    });
  }
  for (const controls of document.querySelectorAll('[data-filter-for]')) {
    const table = document.getElementById(controls.getAttribute('data-filter-for'));
    if (!table) continue;
    const search = controls.querySelector('input');
    const choice = controls.querySelector('select');
    const output = controls.querySelector('output');
    const rows = Array.from(table.tBodies[0].rows);
    const text = new Map(rows.map((row) => [row, row.textContent.toLowerCase()]));
    const apply = () => {
      const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
      const tag = choice ? choice.value : '';
      let shown = 0;
      for (const row of rows) {
        const visible = (tag === '' || row.dataset.tags.split(' ').includes(tag)) && words.every((w) => text.get(row).includes(w));
        row.hidden = !visible;
        if (visible) shown++;
      }
      output.value = shown + ' of ' + rows.length + ' shown';
    };
    search.addEventListener('input', apply);
    if (choice) choice.addEventListener('change', apply);
    controls.hidden = false;
    apply();
  }
})();
`;

/** The CSP source of an inline block: the browser runs or applies it only if its hash matches. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * Nothing may load or run but the page's own inline style and script, each allowed by its
 * hash: no request leaves the file, and any markup that slipped through escaping stays inert.
 */
export function contentSecurityPolicy(style: string, script: string): string {
  return `default-src 'none'; style-src ${cspHash(style)}; script-src ${cspHash(script)}; base-uri 'none'; form-action 'none'`;
}

export interface Page {
  readonly title: string;
  readonly body: Html;
  /** CSS added after the shared style. */
  readonly style?: string;
  /** JavaScript added after the shared table script. */
  readonly script?: string;
}

/** One self-contained document: no network fetch, no external script, style or font. */
export function renderPage(page: Page): string {
  const style = BASE_STYLE + (page.style ?? '');
  const script = BASE_SCRIPT + (page.script ?? '');
  // Neither may contain its own end tag: the hash would be right and the page broken.
  if (/<\/style/i.test(style) || /<\/script/i.test(script)) throw new Error('inline style or script holds its own end tag');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(contentSecurityPolicy(style, script))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(page.title)}</title>
<style>${style}</style>
</head>
<body>
${page.body.markup}
<script>${script}</script>
</body>
</html>
`;
}
