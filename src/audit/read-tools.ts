import { isObject, type JsonObject } from '../io/json-input.js';
import type { PolicyRule } from './types.js';

/** A key path into a --config document, as errors and warnings name it. */
export type Path = ReadonlyArray<string | number>;

/**
 * What the readers of one kind of export (read-classic.ts, read-managed.ts) need of the reader of
 * a --config file (read.ts): its strict checks and messages, so every kind fails and warns alike.
 */
export interface ReaderTools {
  /** The file as messages name it. */
  readonly shown: string;
  fail(path: Path, message: string): never;
  unmodelled(path: Path, what: string): void;
  checkKeys(node: JsonObject, path: Path, known: readonly string[]): void;
  value(node: JsonObject, key: string, path: Path): unknown;
  string(node: JsonObject, key: string, path: Path, required: boolean): string | null;
  strings(node: JsonObject, key: string, path: Path, check?: (item: string) => string | null): string[];
  priority(node: JsonObject, path: Path): number;
  propertiesOf(node: JsonObject, path: Path): { props: JsonObject; at: Path };
  oneOf<T extends string>(node: JsonObject, key: string, path: Path, allowed: readonly T[], aliases?: Readonly<Record<string, T>>): T;
  readRule(node: unknown, path: Path, nat: boolean, classic?: { readonly ruleType: PolicyRule['ruleType']; readonly keys: readonly string[] }): PolicyRule;
}

/** A value that says nothing: az prints absent lists as null or [], absent objects as null. */
export function empty(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

/** The last segment of a resource id or ARM name, lower case: how policies and groups find each other. */
export function nameInId(id: string, after: string): string | null {
  const parts = id.split('/');
  const at = parts.findIndex((part) => part.toLowerCase() === after);
  const name = at === -1 ? undefined : parts[at + 1];
  return name === undefined || name === '' ? null : name.toLowerCase();
}

/** `*`, a port or a range; firewall rules start at port 1, NSG rules ("Integer or range between 0 and 65535") at 0. */
export function portProblemFrom(lowest: number): (item: string) => string | null {
  return (item) => {
    if (item === '*') return null;
    const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(item);
    const first = Number(match?.[1]);
    const last = match?.[2] === undefined ? first : Number(match[2]);
    return match !== null && first >= lowest && last <= 65535 && first <= last ? null : `expected *, a port or a range of ports (${lowest}-65535)`;
  };
}
