import { quote } from './text.js';

/**
 * What an id, a service tag and a host name may be. The catalog loader refuses anything else
 * when a file loads, and the rule renderers check again before a value reaches a shell, a
 * Bicep file or a spreadsheet (a saved report is any JSON file): both ask here, so whatever
 * loads can be rendered, and a value that cannot be rendered never loads.
 */

/** The longest id: a DNS label's length, so an id fits wherever a name part goes. */
const ID_MAX_LENGTH = 63;

const ID_RE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** A section, feature or catalog id: `compute-instance`, lower-case words joined by single hyphens. */
export const ID_RULE = `lower-case letters and digits, words joined by single hyphens, starting with a letter, at most ${ID_MAX_LENGTH} characters`;

export function isId(value: string): boolean {
  return value.length <= ID_MAX_LENGTH && ID_RE.test(value);
}

/**
 * `AzureActiveDirectory`, `Storage.westus2`, `AzureFrontDoor.FrontEnd`: a name of 2 to 80
 * letters and digits, and one optional qualifier of up to 80 (a region, a part of the service),
 * each starting with a letter.
 */
const SERVICE_TAG_RE = /^[A-Za-z][A-Za-z0-9]{1,79}(?:\.[A-Za-z][A-Za-z0-9]{0,79})?$/;

export const SERVICE_TAG_RULE = 'a name of 2 to 80 letters and digits, and one optional .qualifier of up to 80, each starting with a letter';

export function isServiceTag(value: string): boolean {
  return SERVICE_TAG_RE.test(value);
}

/** A host name in all: what a DNS query can carry. */
export const HOST_NAME_MAX_LENGTH = 253;
const HOST_LABEL_MAX_LENGTH = 63;

const LABEL_CHARS_RE = /^[a-z0-9-]+$/;

/** Why one label of a host name is not one (lower case is the caller's to ask for), or null. */
export function hostLabelProblem(label: string): string | null {
  if (label === '') return 'empty label';
  if (!LABEL_CHARS_RE.test(label)) return `invalid characters in label ${quote(label)} (letters, digits and hyphens only)`;
  if (label.startsWith('-') || label.endsWith('-')) return `label ${quote(label)} starts or ends with '-'`;
  if (label.length > HOST_LABEL_MAX_LENGTH) return `label ${quote(label)} is longer than ${HOST_LABEL_MAX_LENGTH} characters`;
  return null;
}

/** True for a name we can put in a DNS query: letters, digits, hyphens, labels of 1-63, 253 in all. */
export function isHostName(name: string): boolean {
  return name.length > 0 && name.length <= HOST_NAME_MAX_LENGTH && name.split('.').every((label) => hostLabelProblem(label) === null);
}

/** `host.example.com`, `*.example.com`, or `*example.com` (the leading-wildcard form Azure Firewall accepts): a wildcard covers two labels at least. */
export function isFqdnPattern(value: string): boolean {
  const bare = value.startsWith('*.') ? value.slice(2) : value.startsWith('*') ? value.slice(1) : value;
  return isHostName(bare) && (!value.startsWith('*') || bare.includes('.'));
}
