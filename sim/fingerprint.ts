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
 * Encoding (version 2): an event is its tag, time, host, kind and details; a value is a tag word
 * and its payload, so the stream reads back unambiguously (`1`, `"1"`, `[1]` differ). An integer
 * in [0, 2^24) is one word (tag and value), as are an array's or bytes' tag and length; a string
 * is two words (its tag with 21 bits of its digest, then 32 more bits). An object is its tag, its
 * values in the producer's key order, then two words ending it: the end tag with 21 bits of its
 * key names' digest (how many, which, in which order), then 32 more.
 *
 * Strings are digested once per place they repeat at: each kind keeps, per position of its
 * details, the name and the string value it last saw there with their digests, so a repeat (the
 * same names in the same order on every event of a kind; the same table, section, peer) costs one
 * comparison instead of a pass over the text, and a kind's key names cost no mixing at all while
 * they stay the same. The memos change only the speed, never the value (a test checks the
 * encoder against this encoding written out plainly).
 *
 * The hottest events (replication updates and acks) can arrive with deferred details
 * (engine/env.ts, engine/peers/update-events.ts): `recordDeferred` lets them fold their values
 * through the DetailFold methods, which write the words `record` would take from their rendered
 * object, so neither the key text and values object are built nor the object walked, and the
 * fingerprint is the same whichever way an event came (a test checks a folded run against the
 * generic encoding of its rendered events).
 */
import { assert } from '../lib/assert.ts';
import type { DeferredDetails, DetailFold, EventDetails } from '../engine/env.ts';
import type { TraceEntry, TraceSink } from './trace.ts';

/** Fingerprint format: bump when the encoding changes, so old and new values are never compared. */
export const FINGERPRINT_VERSION = 2;

const DETAIL_DEPTH_MAX = 16;

// Type tags: a value is always preceded by its tag, so `1` and `"1"` and `[1]` differ.
const TAG_EVENT = 0x45564e54;
const TAG_NULL = 1;
const TAG_FALSE = 2;
const TAG_TRUE = 3;
const TAG_INT = 4;
const TAG_FLOAT = 5;
const TAG_STRING = 6;
const TAG_BIGINT = 7;
const TAG_BYTES = 8;
const TAG_ARRAY = 9;
const TAG_OBJECT = 10;
const TAG_UNDEFINED = 11;
const TAG_OBJECT_END = 12;
const TAG_SMALL_INT = 13;
/**
 * One-word values carry their tag in the top byte and their payload below: a string's first word
 * (21 bits of its digest), an object's end (21 bits of its key names' digest), an integer in
 * [0, 2^24), an array's or bytes' length. A bare tag's top byte is 0, so no such word equals a bare tag or another kind's word.
 */
const STRING_TAG_WORD = TAG_STRING << 24;
const OBJECT_END_TAG_WORD = TAG_OBJECT_END << 24;
const SMALL_INT_TAG_WORD = TAG_SMALL_INT << 24;
const SMALL_INT_LIMIT = 1 << 24;
const LOW_21_MASK = 0x1fffff;
const LENGTH_ESCAPE = 0xffffff;

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

/** The number of decimal digits of an octet (0–255). */
function octetDigits(octet: number): number {
  return octet >= 100 ? 3 : octet >= 10 ? 2 : 1;
}

/**
 * `digestLanes(ipv4ToText(value))` without the text: the same two lanes over the char codes of
 * the dotted quad (most significant octet first), computed from the number. Lane b is left in
 * `digestLaneB`.
 */
function digestIpv4Lanes(value: number): number {
  let length = 3; // the dots
  for (let shift = 24; shift >= 0; shift -= 8) length += octetDigits((value >>> shift) & 0xff);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ length;
  for (let shift = 24; shift >= 0; shift -= 8) {
    const octet = (value >>> shift) & 0xff;
    for (let place = octet >= 100 ? 100 : octet >= 10 ? 10 : 1; place >= 1; place = (place / 10) | 0) {
      const c = 0x30 + (((octet / place) | 0) % 10);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
    }
    if (shift > 0) {
      a = Math.imul(a ^ 0x2e, 0x01000193);
      b = Math.imul(b ^ 0x2e, 0x5bd1e995);
    }
  }
  digestLaneB = avalanche(b);
  return avalanche(a ^ length);
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
 * plain one: a string's two words, an object's two end words, and the fingerprint of a stream.
 */
export const fingerprintLeaves = {
  stringWords(text: string): [number, number] {
    const tail = digestLanes(text);
    return [STRING_TAG_WORD | (digestLaneB & LOW_21_MASK), tail];
  },
  /** The words of the string `ipv4ToText(value)`, computed from the number (the fold's ipv4Text). */
  ipv4TextWords(value: number): [number, number] {
    const tail = digestIpv4Lanes(value);
    return [STRING_TAG_WORD | (digestLaneB & LOW_21_MASK), tail];
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
  /** The kind's own digest (a kind's root shape only). */
  readonly kind = new TextMemo();

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

/** Kinds and names (hosts, peers, tables, sections) with a memo of their own; past these, they share one overflow memo (still exact). */
const KINDS_MAX = 4096;
const NAMES_MAX = 4096;

/** Key-name lists whose digest a fold keeps (one per event layout; past these, digested each time, still exact). */
const FOLD_NAMES_MAX = 4096;

/** The digest of one key-name list, as an object's end words carry it. */
interface NamesDigest {
  readonly head: number;
  readonly tail: number;
}

export class Fingerprint implements TraceSink, DetailFold {
  private h1 = LANE1_SEED;
  private h2 = LANE2_SEED;
  private events = 0;
  private readonly kinds = new Map<string, Shape>();
  private readonly kindOverflow = new Shape();
  /** Memos of event hosts and of the strings folded through `name` (peer, table, section names), by the string. */
  private readonly names = new Map<string, TextMemo>();
  private readonly nameOverflow = new TextMemo();
  /** The shape whose string memos a fold in progress uses (its kind's). */
  private foldShape: Shape = this.kindOverflow;
  private readonly foldNames = new Map<readonly string[], NamesDigest>();

  record(entry: TraceEntry): void {
    const shape = this.head(entry.t, entry.host, entry.kind);
    if (entry.details === undefined) this.word(TAG_UNDEFINED);
    else this.object(entry.details as Record<string, unknown>, 0, shape);
    this.events += 1;
  }

  /**
   * An event with deferred details: folded value by value, the same words `record` takes from
   * `details.render()` (the details say which; a test checks the two on real runs).
   */
  recordDeferred(t: number, host: string, kind: string, details: DeferredDetails): void {
    this.foldShape = this.head(t, host, kind);
    details.foldInto(this);
    this.events += 1;
  }

  /** An event's tag, time, host and kind; returns the kind's shape. */
  private head(t: number, host: string, kind: string): Shape {
    this.word(TAG_EVENT);
    this.number(t);
    this.string(host, this.nameMemo(host));
    const shape = this.shapeOf(kind);
    this.string(kind, shape.kind);
    return shape;
  }

  // --- DetailFold: the words of a plain object's parts, for deferred details -----------------

  objectStart(): void {
    this.word(TAG_OBJECT);
  }

  objectEnd(names: readonly string[]): void {
    let digest = this.foldNames.get(names);
    if (digest === undefined) {
      const [head, tail] = fingerprintLeaves.objectEndWords(names);
      digest = { head, tail };
      if (this.foldNames.size < FOLD_NAMES_MAX) this.foldNames.set(names, digest);
    }
    this.word(digest.head);
    this.word(digest.tail);
  }

  arrayStart(length: number): void {
    this.tagAndLength(TAG_ARRAY, length);
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

  text(value: string, place: number): void {
    this.string(value, this.foldShape.text(place));
  }

  name(value: string): void {
    this.string(value, this.nameMemo(value));
  }

  ipv4Text(value: number): void {
    const tail = digestIpv4Lanes(value);
    this.word(STRING_TAG_WORD | (digestLaneB & LOW_21_MASK));
    this.word(tail);
  }

  bool(value: boolean): void {
    this.word(value ? TAG_TRUE : TAG_FALSE);
  }

  nil(): void {
    this.word(TAG_NULL);
  }

  plain(value: unknown, place: number): void {
    this.value(value, 0, this.foldShape, place);
  }

  whole(details: EventDetails): void {
    this.object(details, 0, this.foldShape);
  }

  /** Events folded in so far. */
  eventCount(): number {
    return this.events;
  }

  /** `fp2:` and 16 hex digits; the state is not consumed (more events may follow). */
  digest(): string {
    return finish(this.h1, this.h2, this.events);
  }

  private shapeOf(kind: string): Shape {
    const known = this.kinds.get(kind);
    if (known !== undefined) return known;
    if (this.kinds.size >= KINDS_MAX) return this.kindOverflow;
    const shape = new Shape();
    this.kinds.set(kind, shape);
    return shape;
  }

  /** The memo of a host or a name: one per string (they repeat at every place). */
  private nameMemo(text: string): TextMemo {
    const known = this.names.get(text);
    if (known !== undefined) return known;
    if (this.names.size >= NAMES_MAX) return this.nameOverflow;
    const memo = new TextMemo();
    this.names.set(text, memo);
    return memo;
  }

  private word(x: number): void {
    this.h1 = mixLane1(this.h1, x);
    this.h2 = mixLane2(this.h2, x);
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

  private bytes(data: Uint8Array): void {
    this.tagAndLength(TAG_BYTES, data.length);
    let i = 0;
    for (; i + 4 <= data.length; i += 4) {
      this.word((data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24));
    }
    let tail = 0;
    for (let shift = 0; i < data.length; i++, shift += 8) tail |= (data[i] as number) << shift;
    this.word(tail);
  }
}
