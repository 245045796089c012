/**
 * Drives decoded peers messages further (update bodies against several layouts, definitions
 * against several local tables), so that codec fuzzing reaches every decoder: only ProtocolError
 * may escape. Shared by the codec property test and scripts/fuzz-codec.ts.
 */
import { ProtocolError } from '../../engine/errors.ts';
import { decodeUpdateBody, DictRxCache, matchDefinition, type PeerMessage, type UpdateLayout } from '../../engine/peers/messages.ts';
import type { TableSpec } from '../../engine/table/table-spec.ts';

/** Returns the number of ProtocolErrors met; anything else thrown is a bug and propagates. */
export function exerciseDecoded(msgs: readonly PeerMessage[], options: { specs: readonly TableSpec[]; layouts: readonly UpdateLayout[] }): number {
  let protocolErrors = 0;
  const rx = new DictRxCache();
  for (const m of msgs) {
    if (m.kind === 'define') {
      for (const spec of options.specs) matchDefinition(m.def, m.def.wireName === spec.wireName ? spec : undefined);
      for (const spec of options.specs) matchDefinition({ ...m.def, wireName: spec.wireName }, spec);
    }
    if (m.kind !== 'update') continue;
    for (const layout of options.layouts) {
      try {
        decodeUpdateBody(m, layout, rx);
      } catch (err) {
        if (!(err instanceof ProtocolError)) throw err;
        protocolErrors++;
      }
    }
  }
  return protocolErrors;
}

/** The byte strings one after another. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
