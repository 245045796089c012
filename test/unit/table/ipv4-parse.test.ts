import { expect, it } from 'vitest';
import fc from 'fast-check';
import { parseIpv4Strict } from '../../../engine/table/keys.ts';
function ref(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part)) return undefined;
    if (part.length > 1 && part.startsWith('0')) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value >>> 0;
}
it('same as the split-based parser', () => {
  const piece = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '00', '01', 'a', '1a', '0'));
  fc.assert(fc.property(fc.array(piece, { minLength: 1, maxLength: 6 }), (ps) => { const t = ps.join('.'); expect(parseIpv4Strict(t)).toBe(ref(t)); }), { numRuns: 20000, seed: 1 });
  for (const t of ['1.2.3.4', '255.255.255.255', '0.0.0.0', '1.2.3', '1.2.3.4.5', '01.2.3.4', '256.1.1.1']) expect(parseIpv4Strict(t)).toBe(ref(t));
});
