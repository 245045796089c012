/**
 * The peers-protocol codec in one import: message types, `encodeMessage`, the streaming
 * `MessageDecoder`, table definitions, update bodies and the dictionary caches.
 * (Each part lives in its own file; this module only re-exports them.)
 */
export * from './message-types.ts';
export { encodeMessage } from './encode-message.ts';
export { MessageDecoder, SizeLimitError, type DecoderMode, type MessageDecoderOptions } from './decoder.ts';
export {
  decodeDefineBody,
  definitionFromSpec,
  matchDefinition,
  writeDefineBody,
  type DefineParam,
  type DefinitionMatch,
  type ParamsDefect,
  type TableDefinition,
} from './definition.ts';
export { layoutFromSpec, layoutField, type LayoutField, type UpdateLayout } from './layout.ts';
export {
  decodeUpdateBody,
  encodeUpdateBody,
  encodeUpdateMessage,
  writeUpdateBody,
  type ElementWireValue,
  type FreqCounterWire,
  type RawUpdate,
  type StickUpdate,
  type WireValue,
} from './update-body.ts';
export { DICT_CACHE_SLOTS, DictRxCache, DictTxCache } from './dict-cache.ts';
export * from './hello.ts';
