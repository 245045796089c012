/**
 * The cheap determinism check: a running 64-bit fingerprint over every trace event, computed from
 * the values the event already holds (its time, host, kind and details), without formatting the
 * event as JSON. Two runs of one build with the same seed give the same fingerprint; a change in
 * any event (one more or one less, a time, a host, a kind, a detail value or name) changes it.
 *
 * It is not the JSONL trace's SHA-256 (that one hashes the formatted lines, sorted keys and all)
 * and does not replace it: the JSONL trace is written when asked for, and can be regenerated from
 * the scenario and the seed (`sticksim replay SCENARIO --seed S`), as TigerBeetle's simulator
 * re-runs a seed with logging on. Detail keys are taken in the order the producer wrote them:
 * the same code writes them in the same order, so the fingerprint stays deterministic, and a
 * reordering of a producer's keys is a change it reports.
 *
 * Mixing: two independent 32-bit lanes, each a multiply-rotate over the stream of 32-bit words
 * (murmur3's body step with different constants per lane), finalised with murmur3's avalanche.
 *
 * Encoding (version 3): an event is its time, host, kind and details. Hosts, kinds and the names
 * deferred details fold (peers, tables, sections) are dictionary-coded: a name's first appearance
 * is a new-name word and two words of its digest, every later one a single word with its index,
 * so the stream still reads back to the same strings, in order. A value is a tag word and its
 * payload, so the stream reads back unambiguously (`1`, `"1"`, `[1]` differ). An integer in
 * [0, 2^24) is one word (tag and value), as are an array's or bytes' tag and length; a string is
 * two words (its tag with 21 bits of its digest, then 32 more bits). A plain object is its tag,
 * its values in the producer's key order, then two words ending it: the end tag with 21 bits of
 * its key names' digest (how many, which, in which order), then 32 more.
 *
 * Strings of plain objects are digested once per place they repeat at: each kind keeps, per
 * position of its details, the name and the string value it last saw there with their digests, so
 * a repeat costs one comparison instead of a pass over the text, and a kind's key names cost no
 * mixing at all while they stay the same. The memos change only the speed, never the value (a
 * test checks the encoder against this encoding written out plainly).
 *
 * The hottest events (replication updates and acks, deliveries of bytes) come with deferred
 * details (engine/env.ts): `recordDeferred` folds them from the facts they are made of, as their
 * producer lays them out (a layout word of its own, a flags word, then the facts), so neither their
 * text nor their object is made. A run's fingerprint therefore is not the fingerprint of its
 * rendered events; what holds instead (tested on every producer) is that details whose plain
 * objects differ fold differently, so a change in any event still changes the fingerprint.
 */
import { assert } from '../lib/assert.ts';
import type { DeferredDetails, DetailFold, TraceName, TraceNames } from '../engine/env.ts';
import {
  putName,
  putNumber,
  FOLD_RESERVE_WORDS,
  LAYOUT_ID_LIMIT,
  LAYOUT_TAG_WORD,
  LENGTH_ESCAPE,
  NAME_TAG_WORD,
  NAMES_TAG_WORD,
  NEW_NAME_TAG_WORD,
  OBJECT_END_TAG_WORD,
  SMALL_INT_LIMIT,
  SMALL_INT_TAG_WORD,
  STRING_TAG_WORD,
  TAG_ARRAY,
  TAG_BIGINT,
  TAG_BYTES,
  TAG_FALSE,
  TAG_FLOAT,
  TAG_INT,
  TAG_NEW_NAMES,
  TAG_NULL,
  TAG_OBJECT,
  TAG_TRUE,
  TAG_UNDEFINED,
} from '../engine/trace-words.ts';
import type { TraceEntry, TraceSink } from './trace.ts';

/** Fingerprint format: bump when the encoding changes, so old and new values are never compared. */
export const FINGERPRINT_VERSION = 3;

const DETAIL_DEPTH_MAX = 16;

const LOW_21_MASK = 0x1fffff;
/** Words waiting to be mixed (`words`): a producer reserves at most FOLD_RESERVE_WORDS of them. */
const FOLD_WORDS_CAPACITY = 4096;

const LANE1_SEED = 0x9e3779b9;
const LANE2_SEED = 0x7f4a7c15;

const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);

function rotl(x: number, bits: number): number {
  return (x << bits) | (x >>> (32 - bits));
}

/**
 * murmur3's finaliser. Every word here stays a signed 32-bit integer (`| 0`, never `>>> 0`): V8
 * keeps those unboxed, while an unsigned value of 2^31 or more stored in a field or a module
 * variable is a heap number, an allocation per string digested (measured: half the cost of a miss).
 */
function avalanche(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/** Lane b of the last `digestLanes` call (lane a is its return value). */
let digestLaneB = 0;

/**
 * A string's digest, two FNV-1a-style lanes over its UTF-16 code units in one pass: lane a is
 * returned, lane b left in `digestLaneB` (53 bits are folded in: lane b's low 21, then lane a).
 */
function digestLanes(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  digestLaneB = avalanche(b);
  return avalanche(a ^ text.length);
}

/**
 * The digest of the key names names[0..count): lane a returned, lane b left in `digestLaneB`
 * (both full 32 bits; an object's end word keeps 21 of lane b).
 */
function digestNames(names: readonly string[], count: number): number {
  let a = 0x2545f491 ^ count;
  let b = 0x4f6cdd1d ^ count;
  for (let i = 0; i < count; i++) {
    a = Math.imul(rotl(a ^ digestLanes(names[i] as string), 13), 0x9e3779b1);
    b = Math.imul(rotl(b ^ digestLaneB, 17), 0x85ebca77);
  }
  const laneA = avalanche(a);
  digestLaneB = avalanche(b ^ laneA);
  return laneA;
}

/** Folds `x` into lane 1 (murmur3's body step). */
function mixLane1(h: number, x: number): number {
  return (Math.imul(rotl(Math.imul(h ^ x, 0xcc9e2d51), 15), 0x1b873593) + 0xe6546b64) | 0;
}

/** Folds `x` into lane 2 (the same step, other constants). */
function mixLane2(h: number, x: number): number {
  return (Math.imul(rotl(Math.imul(h ^ x, 0x85ebca77), 13), 0xc2b2ae3d) + 0x27d4eb2f) | 0;
}

/** The printed fingerprint of two lanes after `events` events. */
function finish(h1: number, h2: number, events: number): string {
  const a = avalanche(h1 ^ events ^ Math.imul(h2, 0x27d4eb2f));
  const b = avalanche(h2 ^ Math.imul(events, 0x165667b1) ^ a);
  return `fp${FINGERPRINT_VERSION}:${(a >>> 0).toString(16).padStart(8, '0')}${(b >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * The encoding's leaves, for the test that checks the memoized encoder word for word against a
 * plain one: a string's two words, a name's, an object's two end words, and the fingerprint of a stream.
 */
export const fingerprintLeaves = {
  stringWords(text: string): [number, number] {
    const tail = digestLanes(text);
    return [STRING_TAG_WORD | (digestLaneB & LOW_21_MASK), tail];
  },
  /** A dictionary-coded name's words: its first appearance, and the word of the index-th name after it. */
  newNameWords(text: string): [number, number] {
    const tail = digestLanes(text);
    return [NEW_NAME_TAG_WORD | (digestLaneB & LOW_21_MASK), tail];
  },
  nameWord(index: number): number {
    return NAME_TAG_WORD | index;
  },
  objectEndWords(names: readonly string[]): [number, number] {
    const tail = digestNames(names, names.length);
    return [OBJECT_END_TAG_WORD | (digestLaneB & LOW_21_MASK), tail];
  },
  digestOfWords(words: readonly number[], events: number): string {
    let h1 = LANE1_SEED;
    let h2 = LANE2_SEED;
    for (const x of words) {
      h1 = mixLane1(h1, x);
      h2 = mixLane2(h2, x);
    }
    return finish(h1, h2, events);
  },
};

/** One string place's memo: the text last digested there and its words. */
class TextMemo {
  text: string | undefined = undefined;
  /** STRING_TAG_WORD | 21 digest bits. */
  head = 0;
  /** 32 more digest bits. */
  tail = 0;

  /** Digests `text` unless it is the text this memo last saw. */
  take(text: string): void {
    if (this.text === text) return;
    this.tail = digestLanes(text);
    this.head = STRING_TAG_WORD | (digestLaneB & LOW_21_MASK);
    this.text = text;
  }
}

/**
 * The memos of one detail object's places (a kind's details, or an object nested in them), by
 * position in the producer's key order: its key names with their combined digest, its string
 * values, its nested objects (an array's items share position 0). A different name or value at a
 * position is digested again and replaces the memo: a memo is never wrong, at worst useless.
 * The memos grow to the largest object seen at that place, so they are bounded by the details.
 */
class Shape {
  /** The key names last seen, names[0..count) current; count -1 until the first object. */
  readonly names: string[] = [];
  count = -1;
  /** Digest of names[0..count), two lanes. */
  namesA = 0;
  namesB = 0;
  readonly texts: TextMemo[] = [];
  readonly nested: Shape[] = [];

  text(index: number): TextMemo {
    return this.texts[index] ?? (this.texts[index] = new TextMemo());
  }

  child(index: number): Shape {
    return this.nested[index] ?? (this.nested[index] = new Shape());
  }

  /** Digests the key names after one of them, or their count, changed. */
  rehashNames(): void {
    this.namesA = digestNames(this.names, this.count);
    this.namesB = digestLaneB;
  }
}

/** Kinds with string memos of their own; past these, they share one overflow shape (still exact). */
const KINDS_MAX = 4096;
/** Names (hosts, kinds, peers, tables, sections) and name lists with an index; past these, folded whole each time (still exact). */
const NAMES_MAX = 1 << 20;
const NAME_LISTS_MAX = 4096;

export class Fingerprint implements TraceSink, DetailFold {
  private h1 = LANE1_SEED | 0;
  private h2 = LANE2_SEED | 0;
  /** Words not mixed into the lanes yet, in order (DetailFold's fast path writes here too). */
  readonly words = new Int32Array(FOLD_WORDS_CAPACITY);
  wordCount = 0;
  /** Where the last reservation ends (or the methods' last word, if later): no word is written past it. */
  private reservedEnd = 0;
  private events = 0;
  private readonly kinds = new Map<string, Shape>();
  private readonly kindOverflow = new Shape();
  /** The dictionary of names: each one's word (NAME_TAG_WORD and its index, in order of first appearance). */
  private readonly nameWords = new Map<string, number>();
  /** The dictionary of name lists, by content (their JSON), and the same by the list itself. */
  private readonly listWords = new Map<string, number>();
  private readonly listWordsByList = new WeakMap<readonly string[], number>();
  /** The shape of the plain values folded through `plain`. */
  private readonly plainShape = new Shape();

  record(entry: TraceEntry): void {
    this.head(entry.t, entry.host, entry.kind);
    if (entry.details === undefined) this.word(TAG_UNDEFINED);
    else this.object(entry.details as Record<string, unknown>, 0, this.shapeOf(entry.kind));
    this.events += 1;
  }

  /** An event with deferred details: folded from their facts (engine/env.ts DetailFold). */
  recordDeferred(t: number, host: TraceName, kind: TraceName, details: DeferredDetails): void {
    const words = this.words;
    let at = this.reserve(FOLD_RESERVE_WORDS);
    at = putNumber(this, words, at, t);
    at = putName(this, words, at, host);
    this.wordCount = putName(this, words, at, kind);
    details.foldInto(this);
    this.events += 1;
  }

  /** An event's time, host and kind. */
  private head(t: number, host: string, kind: string): void {
    this.number(t);
    this.name(host);
    this.name(kind);
  }

  // --- DetailFold: the facts of deferred details ---------------------------------------------

  layout(id: number): void {
    assert(id >= 1 && id < LAYOUT_ID_LIMIT && (id | 0) === id, 'a layout is a constant in [1, 2^16)');
    this.word(LAYOUT_TAG_WORD | id);
  }

  int(value: number): void {
    assert(value >>> 0 === value, 'an int fact is an integer in [0, 2^32)');
    this.word(value | 0);
  }

  number(value: number): void {
    if (value >= 0 && value < SMALL_INT_LIMIT && (value | 0) === value) {
      this.word(SMALL_INT_TAG_WORD | value);
      return;
    }
    if ((value | 0) === value) {
      this.word(TAG_INT);
      this.word(value);
      return;
    }
    float64[0] = value;
    this.word(TAG_FLOAT);
    this.word(float64Words[0] as number);
    this.word(float64Words[1] as number);
  }

  name(value: string): void {
    const known = this.nameWords.get(value);
    if (known !== undefined) this.word(known);
    else this.newName(value);
  }

  /**
   * `name(value.text)`, word for word: the word of a name indexed before is kept on the name
   * itself for this fingerprint, so a repeat reads it instead of looking the text up.
   */
  traceName(value: TraceName): void {
    if (value.foldOwner === this) {
      this.word(value.foldWord);
      return;
    }
    const text = value.text;
    this.name(text);
    const known = this.nameWords.get(text);
    if (known === undefined) return;
    value.foldOwner = this;
    value.foldWord = known;
  }

  text(value: string): void {
    const tail = digestLanes(value);
    this.word(STRING_TAG_WORD | (digestLaneB & LOW_21_MASK));
    this.word(tail);
  }

  names(list: readonly string[]): void {
    const known = this.listWordsByList.get(list);
    if (known !== undefined) {
      this.word(known);
      return;
    }
    this.newNames(list);
  }

  /** `names(value.texts)`, word for word, with the list's word kept on it as `traceName` does. */
  traceNames(value: TraceNames): void {
    if (value.foldOwner === this) {
      this.word(value.foldWord);
      return;
    }
    const list = value.texts;
    this.names(list);
    const known = this.listWordsByList.get(list);
    if (known === undefined) return;
    value.foldOwner = this;
    value.foldWord = known;
  }

  arrayStart(length: number): void {
    this.tagAndLength(TAG_ARRAY, length);
  }

  bytes(data: Uint8Array): void {
    this.tagAndLength(TAG_BYTES, data.length);
    let i = 0;
    for (; i + 4 <= data.length; i += 4) {
      this.word((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24));
    }
    let tail = 0;
    for (let shift = 0; i < data.length; i++, shift += 8) tail |= (data[i] as number) << shift;
    this.word(tail);
  }

  nil(): void {
    this.word(TAG_NULL);
  }

  plain(value: unknown): void {
    this.value(value, 0, this.plainShape, 0);
  }

  /** Events folded in so far. */
  eventCount(): number {
    return this.events;
  }

  /** `fp3:` and 16 hex digits; the state is not consumed (more events may follow). */
  digest(): string {
    this.mixWords();
    return finish(this.h1, this.h2, this.events);
  }

  reserve(count: number): number {
    assert(count >= 0 && count <= FOLD_RESERVE_WORDS, 'a reservation of at most FOLD_RESERVE_WORDS words');
    if (this.wordCount + count > FOLD_WORDS_CAPACITY) this.mixWords();
    assert(this.wordCount >= 0 && this.wordCount <= this.reservedEnd, 'a producer wrote within its reservation');
    this.reservedEnd = this.wordCount + count;
    return this.wordCount;
  }

  /** Mixes the waiting words into the lanes, in order (the lanes in locals for the loop). */
  private mixWords(): void {
    const count = this.wordCount;
    assert(count >= 0 && count <= this.reservedEnd && count <= FOLD_WORDS_CAPACITY, 'a producer wrote within its reservation and the fold buffer');
    const words = this.words;
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < count; i++) {
      const x = words[i] as number;
      h1 = mixLane1(h1, x);
      h2 = mixLane2(h2, x);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.wordCount = 0;
    this.reservedEnd = 0;
  }

  /** A name's first appearance: its digest, and its index from now on (while the dictionary has room). */
  private newName(value: string): void {
    const tail = digestLanes(value);
    this.word(NEW_NAME_TAG_WORD | (digestLaneB & LOW_21_MASK));
    this.word(tail);
    if (this.nameWords.size < NAMES_MAX) this.nameWords.set(value, NAME_TAG_WORD | this.nameWords.size);
  }

  /** A list not seen as this array: by its content's index, or its first appearance (its length, then each name). */
  private newNames(list: readonly string[]): void {
    const content = JSON.stringify(list);
    const known = this.listWords.get(content);
    if (known !== undefined) {
      this.listWordsByList.set(list, known);
      this.word(known);
      return;
    }
    this.tagAndLength(TAG_NEW_NAMES, list.length);
    for (const item of list) this.name(item);
    if (this.listWords.size >= NAME_LISTS_MAX) return;
    const word = NAMES_TAG_WORD | this.listWords.size;
    this.listWords.set(content, word);
    this.listWordsByList.set(list, word);
  }

  private shapeOf(kind: string): Shape {
    const known = this.kinds.get(kind);
    if (known !== undefined) return known;
    if (this.kinds.size >= KINDS_MAX) return this.kindOverflow;
    const shape = new Shape();
    this.kinds.set(kind, shape);
    return shape;
  }

  private word(x: number): void {
    if (this.wordCount >= FOLD_WORDS_CAPACITY) this.mixWords();
    this.words[this.wordCount++] = x;
    if (this.wordCount > this.reservedEnd) this.reservedEnd = this.wordCount;
  }

  /** A tag and a length in one word; a length of 2^24 - 1 or more is written again in a word of its own. */
  private tagAndLength(tag: number, length: number): void {
    const short = Math.min(length, LENGTH_ESCAPE);
    this.word((tag << 24) | short);
    if (short === LENGTH_ESCAPE) this.word(length);
  }

  /** A string, through `memo` (digested only when it differs from the text the memo last saw). */
  private string(text: string, memo: TextMemo): void {
    memo.take(text);
    this.word(memo.head);
    this.word(memo.tail);
  }

  /** The value at position `index` of the object `shape` memoizes. */
  private value(value: unknown, depth: number, shape: Shape, index: number): void {
    switch (typeof value) {
      case 'number':
        this.number(value);
        return;
      case 'string':
        this.string(value, shape.text(index));
        return;
      case 'boolean':
        this.word(value ? TAG_TRUE : TAG_FALSE);
        return;
      case 'undefined':
        this.word(TAG_UNDEFINED);
        return;
      case 'bigint':
        this.word(TAG_BIGINT);
        this.string(value.toString(16), shape.text(index));
        return;
      case 'object':
        this.composite(value, depth, shape, index);
        return;
      default:
        assert(false, 'a trace detail is a number, string, boolean, bigint, bytes, array or plain object');
    }
  }

  private composite(value: object | null, depth: number, shape: Shape, index: number): void {
    if (value === null) {
      this.word(TAG_NULL);
      return;
    }
    assert(depth < DETAIL_DEPTH_MAX, 'trace details nest at most DETAIL_DEPTH_MAX deep');
    if (value instanceof Uint8Array) {
      this.bytes(value);
      return;
    }
    const inner = shape.child(index);
    if (Array.isArray(value)) {
      this.tagAndLength(TAG_ARRAY, value.length);
      // The items share one place: an array's items are alike (numbers, or objects of one shape).
      for (const item of value as unknown[]) this.value(item, depth + 1, inner, 0);
      return;
    }
    this.object(value as Record<string, unknown>, depth + 1, inner);
  }

  /** The values in key order, an end tag, then the digest of the key names (memoized in `shape`). */
  private object(record: Record<string, unknown>, depth: number, shape: Shape): void {
    this.word(TAG_OBJECT);
    const names = shape.names;
    let index = 0;
    let renamed = false;
    for (const key in record) {
      const item = record[key];
      // As in the JSONL trace, an undefined detail is an absent one.
      if (item === undefined) continue;
      if (names[index] !== key) {
        names[index] = key;
        renamed = true;
      }
      this.value(item, depth, shape, index);
      index++;
    }
    if (renamed || index !== shape.count) {
      shape.count = index;
      shape.rehashNames();
    }
    this.word(OBJECT_END_TAG_WORD | (shape.namesB & LOW_21_MASK));
    this.word(shape.namesA);
  }
}
