/**
 * The words of the determinism fingerprint (sim/fingerprint.ts): its type tags, and the fast path
 * by which the hottest producers of deferred details (replication updates and acks, through
 * engine/env.ts DetailFold) write their facts as words straight into the fold's buffer, one store
 * per word instead of a call per fact. Each `put*` writes exactly the words of the DetailFold
 * method of the same name, and falls back to that method for the rare cases (a float, a name the
 * fold has not coded yet), so a fold is the same whichever way a producer takes.
 *
 * The protocol: `at = fold.reserve(FOLD_RESERVE_WORDS)`, then at most that many words written at
 * `words[at++]` (or through `put*`, which return the next `at`), then `fold.wordCount = at`. A
 * fallback commits `at`, calls the method, and reserves again. Writing past the reservation is a
 * bug the fold reports when it next mixes (`wordCount` beyond its buffer), never a silent loss.
 */
import { assert } from '../lib/assert.ts';
import type { DeferredDetails, DetailFold, TraceName, TraceNames } from './env.ts';

// Type tags: a value is always preceded by its tag, so `1` and `"1"` and `[1]` differ.
export const TAG_NULL = 1;
export const TAG_FALSE = 2;
export const TAG_TRUE = 3;
export const TAG_INT = 4;
export const TAG_FLOAT = 5;
export const TAG_STRING = 6;
export const TAG_BIGINT = 7;
export const TAG_BYTES = 8;
export const TAG_ARRAY = 9;
export const TAG_OBJECT = 10;
export const TAG_UNDEFINED = 11;
export const TAG_OBJECT_END = 12;
export const TAG_SMALL_INT = 13;
/** A dictionary-coded name seen before (its index below), and a name's first appearance. */
export const TAG_NAME = 14;
export const TAG_NEW_NAME = 15;
/** A deferred producer's layout (its constant below), and a list of names (its index, or its first appearance). */
export const TAG_LAYOUT = 16;
export const TAG_NAMES = 17;
export const TAG_NEW_NAMES = 18;
/**
 * One-word values carry their tag in the top byte and their payload below: a string's first word
 * (21 bits of its digest), an object's end (21 bits of its key names' digest), an integer in
 * [0, 2^24), an array's or bytes' length. A bare tag's top byte is 0, so no such word equals a bare
 * tag or another kind's word.
 */
export const STRING_TAG_WORD = TAG_STRING << 24;
export const OBJECT_END_TAG_WORD = TAG_OBJECT_END << 24;
export const SMALL_INT_TAG_WORD = TAG_SMALL_INT << 24;
export const SMALL_INT_LIMIT = 1 << 24;
export const NAME_TAG_WORD = TAG_NAME << 24;
export const NEW_NAME_TAG_WORD = TAG_NEW_NAME << 24;
export const LAYOUT_TAG_WORD = TAG_LAYOUT << 24;
export const NAMES_TAG_WORD = TAG_NAMES << 24;
export const ARRAY_TAG_WORD = TAG_ARRAY << 24;
export const BYTES_TAG_WORD = TAG_BYTES << 24;
export const LAYOUT_ID_LIMIT = 1 << 16;
/** Lengths from this one on take a word of their own after their tag's. */
export const LENGTH_ESCAPE = 0xffffff;

/** Words a producer may write after one `reserve` (a fallback reserves again). */
export const FOLD_RESERVE_WORDS = 64;

/** Commits the words written up to `at` and reserves room again; returns the next `at`. */
export function reserveFrom(fold: DetailFold, at: number): number {
  fold.wordCount = at;
  return fold.reserve(FOLD_RESERVE_WORDS);
}

/** After a fallback through a method (whose words may have filled the buffer): room again. */
function afterFallback(fold: DetailFold): number {
  return fold.reserve(FOLD_RESERVE_WORDS);
}

/** `fold.text(value)`: always through the method (a string is digested). */
export function putText(fold: DetailFold, at: number, value: string): number {
  fold.wordCount = at;
  fold.text(value);
  return afterFallback(fold);
}

/** `fold.plain(value)`: always through the method (a bigint or any other rare value). */
export function putPlain(fold: DetailFold, at: number, value: unknown): number {
  fold.wordCount = at;
  fold.plain(value);
  return afterFallback(fold);
}

/** `fold.layout(id)`. */
export function putLayout(words: Int32Array, at: number, id: number): number {
  assert(id >= 1 && id < LAYOUT_ID_LIMIT && (id | 0) === id, 'a layout is a constant in [1, 2^16)');
  words[at] = LAYOUT_TAG_WORD | id;
  return at + 1;
}

/** `fold.int(value)`. */
export function putInt(words: Int32Array, at: number, value: number): number {
  assert(value >>> 0 === value, 'an int fact is an integer in [0, 2^32)');
  words[at] = value | 0;
  return at + 1;
}

/** `fold.number(value)`: an integer in [0, 2^24) here, anything else through the method. */
export function putNumber(fold: DetailFold, words: Int32Array, at: number, value: number): number {
  if (value >= 0 && value < SMALL_INT_LIMIT && (value | 0) === value) {
    words[at] = SMALL_INT_TAG_WORD | value;
    return at + 1;
  }
  fold.wordCount = at;
  fold.number(value);
  return afterFallback(fold);
}

/** `fold.traceName(name)`: its word when the fold coded it before, else through the method. */
export function putName(fold: DetailFold, words: Int32Array, at: number, name: TraceName): number {
  if (name.foldOwner === fold) {
    words[at] = name.foldWord;
    return at + 1;
  }
  fold.wordCount = at;
  fold.traceName(name);
  return afterFallback(fold);
}

/** `fold.traceNames(names)`: its word when the fold coded it before, else through the method. */
export function putNames(fold: DetailFold, words: Int32Array, at: number, names: TraceNames): number {
  if (names.foldOwner === fold) {
    words[at] = names.foldWord;
    return at + 1;
  }
  fold.wordCount = at;
  fold.traceNames(names);
  return afterFallback(fold);
}

/** `fold.arrayStart(length)`. */
export function putArrayStart(fold: DetailFold, words: Int32Array, at: number, length: number): number {
  if (length < LENGTH_ESCAPE) {
    words[at] = ARRAY_TAG_WORD | length;
    return at + 1;
  }
  fold.wordCount = at;
  fold.arrayStart(length);
  return afterFallback(fold);
}

/** Words of bytes written between two reservations. */
const BYTES_WORDS_PER_RESERVATION = FOLD_RESERVE_WORDS - 2;

/**
 * `fold.bytes(data)`: its tag and length, each 4 bytes as a little-endian word, then the last 0-3
 * bytes as one more word. Takes a reservation of its own at the start, again every
 * BYTES_WORDS_PER_RESERVATION words, and returns `at` with a fresh one.
 */
export function putBytes(fold: DetailFold, words: Int32Array, at: number, data: Uint8Array): number {
  const length = data.length;
  if (length >= LENGTH_ESCAPE) {
    fold.wordCount = at;
    fold.bytes(data);
    return afterFallback(fold);
  }
  let next = reserveFrom(fold, at);
  words[next++] = BYTES_TAG_WORD | length;
  let i = 0;
  for (let inReservation = 1; i + 4 <= length; i += 4, inReservation++) {
    if (inReservation === BYTES_WORDS_PER_RESERVATION) {
      next = reserveFrom(fold, next);
      inReservation = 0;
    }
    words[next++] = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
  }
  let tail = 0;
  for (let shift = 0; i < length; i++, shift += 8) tail |= (data[i] as number) << shift;
  words[next++] = tail;
  return reserveFrom(fold, next);
}

/** `fold.nil()`. */
export function putNil(words: Int32Array, at: number): number {
  words[at] = TAG_NULL;
  return at + 1;
}

/** The receiver's tags that are set, in the order `renderDeferredTags` adds them: section, local (names), pid (a number). */
export function putDeferredTags(fold: DetailFold, words: Int32Array, at: number, details: DeferredDetails): number {
  let next = at;
  if (details.section !== undefined) next = putName(fold, words, next, details.section);
  if (details.local !== undefined) next = putName(fold, words, next, details.local);
  if (details.pid !== undefined) next = putNumber(fold, words, next, details.pid);
  return next;
}
