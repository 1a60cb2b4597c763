/**
 * What every JUnit reporter (check, diff, merge) shares: escaping, the time format, and the
 * document itself, whose counts are derived from the outcomes of its testcases so that they
 * can never disagree with what the testcases say.
 */

/** XML 1.0 allows no control characters but tab and line breaks, even escaped. */
export function xml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export function seconds(ms: number | undefined): string {
  return ((ms ?? 0) / 1000).toFixed(3);
}

export type JunitOutcome = 'passed' | 'failure' | 'error' | 'skipped';

/** One testcase: how it ended, and its `<testcase>` element as written. */
export interface JunitCase {
  readonly outcome: JunitOutcome;
  readonly markup: string;
}

export interface JunitSuite {
  readonly name: string;
  /** ISO time without the zone, as JUnit consumers read it. */
  readonly timestamp: string;
  readonly timeMs: number;
  readonly cases: readonly JunitCase[];
  /** What the suite as a whole says, beside its testcases (merge: where a feature breaks, by which targets). */
  readonly systemOut?: string;
}

type Counts = Record<'tests' | 'failures' | 'errors' | 'skipped', number>;

function countsOf(cases: readonly JunitCase[]): Counts {
  const count = (outcome: JunitOutcome): number => cases.filter((c) => c.outcome === outcome).length;
  return { tests: cases.length, failures: count('failure'), errors: count('error'), skipped: count('skipped') };
}

function countAttributes(counts: Counts): string {
  return `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}"`;
}

export function junitDocument(name: string, timeMs: number, suites: readonly JunitSuite[]): string {
  const totals = countsOf(suites.flatMap((suite) => suite.cases));
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" ${countAttributes(totals)} time="${seconds(timeMs)}">`,
    ...suites.flatMap((suite) => [
      `  <testsuite name="${xml(suite.name)}" ${countAttributes(countsOf(suite.cases))} time="${seconds(suite.timeMs)}" timestamp="${xml(suite.timestamp)}">`,
      ...suite.cases.map((c) => c.markup),
      ...(suite.systemOut === undefined ? [] : [`    <system-out>${xml(suite.systemOut)}</system-out>`]),
      '  </testsuite>',
    ]),
    '</testsuites>',
    '',
  ].join('\n');
}

/** What a testcase says: the type and message of its failure or error, why it was skipped, and its text (system-out when it passed; none, an empty element). */
export interface TestcaseSays {
  readonly type: string;
  readonly message: string;
  readonly text: string;
}

/** One `<testcase>` as every reporter writes it, each value escaped; `time` already in seconds. */
export function testcaseMarkup(attributes: { readonly name: string; readonly classname: string; readonly time: string }, outcome: JunitOutcome, says: TestcaseSays): string {
  const head = `    <testcase name="${xml(attributes.name)}" classname="${xml(attributes.classname)}" time="${attributes.time}"`;
  switch (outcome) {
    case 'skipped':
      return `${head}>\n      <skipped message="${xml(says.message)}"/>\n    </testcase>`;
    case 'failure':
    case 'error':
      return `${head}>\n      <${outcome} type="${xml(says.type)}" message="${xml(says.message)}">${xml(says.text)}</${outcome}>\n    </testcase>`;
    default:
      return says.text === '' ? `${head}/>` : `${head}>\n      <system-out>${xml(says.text)}</system-out>\n    </testcase>`;
  }
}
