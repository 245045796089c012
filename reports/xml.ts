/**
 * XML text and attribute escaping for any JavaScript string. Characters XML 1.0 cannot carry at
 * all (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are written as the visible text
 * `\uXXXX`, so a message that held them still reads sensibly and the document stays well formed.
 */

/** True for code points XML 1.0 allows in a document (the `Char` production). */
function isXmlChar(codePoint: number): boolean {
  if (codePoint === 0x9 || codePoint === 0xa || codePoint === 0xd) return true;
  if (codePoint >= 0x20 && codePoint <= 0xd7ff) return true;
  if (codePoint >= 0xe000 && codePoint <= 0xfffd) return true;
  return codePoint >= 0x10000 && codePoint <= 0x10ffff;
}

function visibleEscape(codeUnit: number): string {
  return `\\u${codeUnit.toString(16).padStart(4, '0')}`;
}

/** Replaces every character XML 1.0 cannot hold by its `\uXXXX` spelling. */
export function xmlSafeChars(text: string): string {
  let out = '';
  for (const char of text) {
    const codePoint = char.codePointAt(0) ?? 0;
    out += isXmlChar(codePoint) ? char : visibleEscape(char.charCodeAt(0));
  }
  return out;
}

const TEXT_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['\r', '&#13;'],
]);

const ATTRIBUTE_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&apos;'],
  ['\t', '&#9;'],
  ['\n', '&#10;'],
  ['\r', '&#13;'],
]);

/** Escapes `text` for element content (CR kept as a reference so parsers do not fold it). */
export function xmlText(text: string): string {
  return xmlSafeChars(text).replace(/[&<>\r]/g, (char) => TEXT_ESCAPES.get(char) ?? char);
}

/** Escapes `text` for a double- or single-quoted attribute value; whitespace survives normalization. */
export function xmlAttribute(text: string): string {
  return xmlSafeChars(text).replace(/[&<>"'\t\n\r]/g, (char) => ATTRIBUTE_ESCAPES.get(char) ?? char);
}

/** `name="value"` pairs in the given order, skipping undefined values. */
export function xmlAttributes(pairs: ReadonlyArray<readonly [string, string | number | undefined]>): string {
  let out = '';
  for (const [name, value] of pairs) {
    if (value === undefined) continue;
    out += ` ${name}="${xmlAttribute(String(value))}"`;
  }
  return out;
}
