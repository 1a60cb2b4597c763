import { CLOUD_NAMES } from '../../model/clouds.js';
import type { RulesPlan } from '../../remedies/plan.js';
import { describeRemedy } from '../../remedies/remedy.js';
import { isAzureResourceName, isSourceAddress } from '../../remedies/validate.js';
import type { Additions } from './formats.js';
import { requiredVariable } from '../shared/azure-rules.js';
import { commentText, shellWord } from '../shared/quote.js';

/**
 * What the shell scripts (`-o az`, `az-classic`, `nsg`) share: a header that sets or asks for
 * the admin's own names, and comments for what no rule can fix. Every command refers to
 * those names as "$VAR", so a value given on the command line is quoted once, here.
 */
export interface ScriptVariable {
  readonly name: string;
  readonly meaning: string;
  /** The value given with a flag, or undefined to make the admin set it. */
  readonly value: string | readonly string[] | undefined;
  readonly flag: string;
  /** A list (several prefixes): used as "${VAR[@]}". */
  readonly list?: boolean;
}

function where(plan: RulesPlan): string {
  return [CLOUD_NAMES[plan.cloud], plan.region]
    .filter((x) => x !== null)
    .map((x) => commentText(x as string))
    .join(', ');
}

/** What a generated file holds, for its first comment. */
export function scopeOf(plan: RulesPlan, additions?: Additions): string {
  if (additions !== undefined) return `what revision ${additions.revision} of the article adds to the allow-list of revision ${additions.since}`;
  return plan.origin === 'report' ? 'the fixes for the blocked targets of a check report' : 'the whole allow-list of the workspace';
}

export function scriptHeader(title: string, plan: RulesPlan, variables: readonly ScriptVariable[], notes: readonly string[], additions?: Additions): string[] {
  const origin = commentText(scopeOf(plan, additions));
  const lines = ['#!/usr/bin/env bash', `# aml-netcheck rules: ${title}, ${origin} (${where(plan)}).`];
  for (const note of notes) lines.push(`# ${commentText(note)}`);
  lines.push('set -euo pipefail');
  for (const variable of variables) {
    const { value } = variable;
    if (value === undefined) {
      lines.push(`: "${requiredVariable(variable.name, variable.meaning, variable.flag)}"`);
      // Several prefixes in one environment variable ("10.0.0.0/24 10.1.0.0/24", or with commas) become one argument each.
      if (variable.list === true) lines.push(`read -r -a ${variable.name} <<< "\${${variable.name}//,/ }"`);
    } else if (typeof value === 'string') {
      if (!isAzureResourceName(value)) throw new Error(`${variable.flag} ${shellWord(value)} is not an Azure resource name`);
      lines.push(`${variable.name}=${shellWord(value)}`);
    } else {
      const bad = value.find((v) => !isSourceAddress(v));
      if (bad !== undefined) throw new Error(`${variable.flag} ${shellWord(bad)} is not an address, prefix or service tag`);
      lines.push(`${variable.name}=(${value.map(shellWord).join(' ')})`);
    }
  }
  lines.push('');
  return lines;
}

/** The source addresses of outbound rules: a bash array when given, else the admin's variable. */
export const SOURCE_VARIABLE = (value: readonly string[] | undefined): ScriptVariable => ({
  name: 'SOURCE',
  meaning: 'the workspace subnet prefixes, e.g. SOURCE=10.0.0.0/24',
  value,
  flag: '--source',
  list: true,
});

/** Blocked targets of a report that no firewall rule fixes, with what does. */
export function otherFixesAsComments(plan: RulesPlan, prefix: '#' | '//'): string[] {
  const lines: string[] = [];
  for (const finding of plan.findings) {
    const others = finding.remedies.filter((r) => r.kind !== 'allow');
    if (others.length === 0) continue;
    for (const sentence of others.flatMap(describeRemedy)) lines.push(`${prefix} ${commentText(`${finding.target} (${finding.reason ?? 'blocked'}): ${sentence}`)}`);
  }
  return lines.length === 0 ? [] : [`${prefix} Not fixed by a firewall rule:`, ...lines, ''];
}

export function refusedAsComments(refused: readonly string[], prefix: '#' | '//'): string[] {
  return refused.map((line) => `${prefix} left out: ${commentText(line)}`);
}

/**
 * The shell functions of a script that changes something, and DRY_RUN. Every write goes through
 * `change`, so DRY_RUN=1 prints each write instead of making it while the reads still run, and
 * what it prints is the plan for the resource as it is now.
 */
export function scriptFunctions(dryRun: boolean | undefined): string[] {
  return [
    `DRY_RUN="\${DRY_RUN:-${dryRun === true ? 1 : 0}}"`,
    '',
    'change() {',
    '  if [[ "$DRY_RUN" == 1 ]]; then printf \'would run:\'; printf \' %q\' "$@"; printf \'\\n\'; else "$@" >/dev/null; fi',
    '}',
    'stop() {',
    '  echo "aml-netcheck: stopped: $*" >&2',
    '  exit 1',
    '}',
    '# A read, printing the --query result one value a line. `az ... show` exits 3 when the resource does',
    '# not exist (Azure/azure-cli#6612: every show command exits 3 on a 404); lookup returns 3 then, and',
    '# stops the script on any other failure, before anything after it is written.',
    'lookup() {',
    '  local status=0',
    '  "$@" --output tsv || status=$?',
    '  if [[ $status -eq 3 ]]; then return 3; fi',
    '  if [[ $status -ne 0 ]]; then stop "a look-up failed (az exit $status); nothing after it was changed"; fi',
    '}',
    '# For a resource that must exist: says so when it does not ($1 is the exit status of lookup).',
    'missing() {',
    '  if [[ $1 -eq 3 ]]; then stop "$2 does not exist; nothing was changed"; fi',
    '  exit 1',
    '}',
    '# Whether a list (one value a line) holds a value; Azure names are case-insensitive.',
    "has() { [[ $'\\n'\"${1,,}\"$'\\n' == *$'\\n'\"${2,,}\"$'\\n'* ]]; }",
    '# The first priority from $1 in steps of $2, at most $3, that the list $4 does not hold.',
    'free_priority() {',
    '  local p=$1',
    '  while has "$4" "$p"; do p=$((p + $2)); done',
    '  if (( p > $3 )); then stop "no free priority from $1 to $3"; fi',
    '  echo "$p"',
    '}',
    '',
  ];
}

/** A line the script prints: the fixed text as one shell word, then the values of the variables named. */
export function say(text: string, ...variables: readonly string[]): string {
  return `echo ${[shellWord(text), ...variables.map((v) => `"$${v}"`)].join(' ')}`;
}

/**
 * A JMESPath query as one shell word: in double quotes when nothing in it is special there (the
 * names it holds are our own identifiers), else in single quotes.
 */
export function queryWord(query: string): string {
  return /^[^$`"\\!]*$/.test(query) ? `"${query}"` : shellWord(query);
}

/** A JMESPath raw string literal of one of our names (letters, digits, `.`, `-`, `_`), refused otherwise. */
export function jmesName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`${JSON.stringify(name)} is not a rule name`);
  return `'${name}'`;
}

/** A JMESPath JSON literal of validated values, refused if one could end it. */
export function jmesJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (json.includes('`')) throw new Error(`${json} cannot be a JMESPath literal`);
  return `\`${json}\``;
}

/** A command (or any lines) placed inside a shell block: every line after the first indented too. */
export function indented(text: string, prefix: string): string {
  return text.replace(/\n/g, `\n${prefix}`);
}
