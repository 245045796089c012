/** XML escaping: any string survives a round trip through a real XML parser. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xmlAttribute, xmlSafeChars, xmlText } from '../../../reports/xml.ts';
import { nastyText } from './arbitraries.ts';
import { parseXml } from './xml-read.ts';

const FC = { seed: 42, numRuns: Number(process.env.FC_NUM_RUNS ?? 100) };
/** The XML 1.0 `Char` production. */
const XML_CHARS = /^[\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

describe('xml escaping', () => {
  it('xmlSafeChars leaves only characters XML 1.0 allows, and changes nothing in valid text', () => {
    fc.assert(
      fc.property(nastyText(), (text) => {
        const safe = xmlSafeChars(text);
        expect(safe).toMatch(XML_CHARS);
        if (XML_CHARS.test(text)) expect(safe).toBe(text);
      }),
      FC,
    );
  });

  it('names a removed control character visibly', () => {
    expect(xmlSafeChars('a\u0000b\u001bc')).toBe('a\\u0000b\\u001bc');
    expect(xmlSafeChars('x\ud800y')).toBe('x\\ud800y');
  });

  it('attribute and text values parse back to the safe text, whitespace and markup included', () => {
    fc.assert(
      fc.property(nastyText(), nastyText(), (attribute, content) => {
        const doc = parseXml(`<root a="${xmlAttribute(attribute)}" b='${xmlAttribute(attribute)}'>${xmlText(content)}</root>`);
        const root = doc['root'] as Record<string, unknown> | string;
        const fields = typeof root === 'string' ? { '#text': root } : root;
        expect(fields['a']).toBe(xmlSafeChars(attribute));
        expect(fields['b']).toBe(xmlSafeChars(attribute));
        expect(fields['#text'] ?? '').toBe(xmlSafeChars(content));
      }),
      FC,
    );
  });
});
