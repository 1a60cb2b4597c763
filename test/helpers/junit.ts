import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** A JUnit document as fast-xml-parser reads it: attributes as `@_name`, text as `#text`. */
export interface JunitTestcase {
  '@_name': string;
  '@_classname': string;
  failure?: { '@_type': string; '@_message': string; '#text'?: string };
  error?: { '@_type': string; '@_message': string; '#text'?: string };
  skipped?: { '@_message': string };
  'system-out'?: string;
}

export interface JunitTestsuite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  '@_errors': string;
  '@_skipped': string;
  '@_timestamp': string;
  testcase: JunitTestcase[];
}

export type ParsedJunit = { testsuites: Record<string, string> & { testsuite: JunitTestsuite[] } };

/** Read by a real XML parser, after its validator has accepted the document whole (else throws). */
export function parseJunit(text: string): ParsedJunit {
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  return new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(text) as ParsedJunit;
}
