/** Public entry points of engine/config. */
export { parseConfig } from './parse.ts';
export { resolveLocalPeer } from './local-peer.ts';
export type { LocalPeerOptions, LocalPeerResolution, LocalPeerSection, LocalPeerSource } from './local-peer.ts';
export { parseSize, parseTimeMs } from './time-size.ts';
export { tokenizeLine } from './tokenizer.ts';
export type * from './types.ts';
