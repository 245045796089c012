/** Reads XML back for the report tests (fast-xml-parser), keeping text exactly as written. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { fixture } from '../../helpers/shared.ts';

const ARRAY_ELEMENTS = new Set(['testsuite', 'testcase', 'property', 'failure']);

export function parseXml(xml: string): Record<string, unknown> {
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) throw new Error(`not well-formed XML: ${JSON.stringify(wellFormed.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => ARRAY_ELEMENTS.has(name),
  });
  return parser.parse(xml) as Record<string, unknown>;
}

export const JUNIT_XSD_FIXTURE = 'junit-10.xsd';

/** Validates documents against the junit-10 XSD with libxml2 (xmllint compiled to WebAssembly). */
export async function validateJunit(documents: readonly string[]): Promise<{ valid: boolean; errors: string[] }> {
  const result = await validateXML({
    xml: documents.map((contents, index) => ({ fileName: `junit-${index}.xml`, contents })),
    schema: [{ fileName: 'junit-10.xsd', contents: readFileSync(fixture(JUNIT_XSD_FIXTURE), 'utf8') }],
    maxMemoryPages: 4096,
  });
  return { valid: result.valid, errors: result.errors.map((error) => error.rawMessage) };
}

/** The JUnit document as plain objects. */
export interface JunitCase {
  name: string;
  classname?: string;
  failure?: Array<{ message?: string; type?: string; '#text'?: string }>;
}
export interface JunitSuite {
  name: string;
  tests: string;
  failures: string;
  time?: string;
  properties?: { property: Array<{ name: string; value: string }> };
  testcase?: JunitCase[];
}
export interface JunitDocument {
  testsuites: { tests: string; failures: string; time: string; testsuite?: JunitSuite[] };
}

export function readJunit(xml: string): JunitDocument {
  return parseXml(xml) as unknown as JunitDocument;
}
