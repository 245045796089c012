/**
 * One stick table (spec §1 and §3): entries by key, their data, expiry and eviction, exactly as
 * HAProxy 2.6 does it. Entries live in one Uint32Array (see layout.ts) and are addressed by an
 * `EntryRef` (their slot number), valid until the entry is removed.
 *
 * Time is always passed in as a tick (`now`): the table never reads a clock.
 */
import { assert, fail } from '../../lib/assert.ts';
import { tickAdd, tickFirst, tickFromWord, tickIsExpired, tickIsLt, tickIsSet, TICK_ETERNITY, type Tick } from '../ticks.ts';
import { freqCtrRead, freqCtrSet, freqCtrUpdate } from './freq-ctr.ts';
import { ExpQueue } from './exp-queue.ts';
import { MapKeyIndex, Uint32KeyIndex, type KeyIndex } from './key-index.ts';
import { ArrayKeyColumn, Uint32KeyColumn, type KeyColumn } from './key-column.ts';
import { compareKeys, type StoredKey } from './keys.ts';
import {
  buildLayout,
  FLAG_IN_EXP_TREE,
  FLAG_LIVE,
  H_EXPIRE,
  H_FLAGS,
  H_REF_CNT,
  type DataLayout,
  type StoredSlot,
} from './layout.ts';
import type { TableSpec } from './table-spec.ts';
import { profileFor, type VersionProfile } from '../version/profile.ts';
import { keyBucketer, type KeyBucketer } from './buckets.ts';

export type EntryRef = number;
export const NO_ENTRY: EntryRef = -1;

/** Where the peers layer plugs in to keep its updates tree (spec §4.9.2). */
export interface TableSyncHooks {
  /** A local change: the entry needs a local update id and the sync task a wake-up. */
  touchedLocal(table: StickTable, ref: EntryRef): void;
  /** A change learned from a peer: the entry gets a remote key if it has none. */
  touchedRemote(table: StickTable, ref: EntryRef): void;
  /** The entry is about to be freed (expiry, eviction, clear): drop it from the updates tree. */
  removing(table: StickTable, ref: EntryRef): void;
}

/** Counters a person (and the coverage marks) can read. */
export interface TableStats {
  created: number;
  expired: number;
  evicted: number;
  evictionBatches: number;
  refusedFull: number;
  cleared: number;
}

export interface StickTableOptions {
  spec: TableSpec;
  /** Initial entry capacity; storage grows fourfold up to the table size (+1 for a candidate). */
  capacityEntriesInitial?: number;
  /** The HAProxy line whose table layout and eviction this table has (default 2.6). */
  profile?: VersionProfile;
}

/** `TIMER_LOOK_BACK`: an eviction scan of a bucket starts at the first tree key >= now - 2^31. */
const TIMER_LOOK_BACK_MS = 0x8000_0000;

/** Small: a simulated cluster starts many processes, most with a few dozen entries. */
const CAPACITY_INITIAL_DEFAULT = 64;
const IP_KEY_RUN_BITS = 4;

export class StickTable {
  readonly spec: TableSpec;
  readonly layout: DataLayout;
  readonly profile: VersionProfile;
  /** The bucket of a key (3.x); undefined with one tree (2.6). */
  readonly bucketer: KeyBucketer | undefined;
  readonly stats: TableStats = { created: 0, expired: 0, evicted: 0, evictionBatches: 0, refusedFull: 0, cleared: 0 };
  /** The expiry task's next run (`exp_next`); eternity when nothing is scheduled. */
  expNextTick: Tick = TICK_ETERNITY;
  syncHooks: TableSyncHooks | undefined;
  /** Told when the expiry task must run earlier than planned (a process arms a timer). */
  onExpiryScheduled: ((tick: Tick) => void) | undefined;

  private words: Uint32Array;
  private readonly keys: KeyColumn;
  private readonly index: KeyIndex;
  private readonly freeRefs: EntryRef[] = [];
  private capacityEntries: number;
  private refsUsedHigh = 0;
  private currentEntries = 0;
  private readonly exps: ExpQueue;
  private readonly dictNames: string[] = [''];
  private readonly dictIds = new Map<string, number>();

  constructor(options: StickTableOptions) {
    const spec = options.spec;
    assert(spec.sizeEntries >= 0, 'table size is not negative');
    this.spec = spec;
    this.profile = options.profile ?? profileFor('2.6');
    this.bucketer = this.profile.tableBuckets > 0 ? keyBucketer(spec, this.profile.tableBuckets) : undefined;
    this.layout = buildLayout(spec);
    const capacityMax = spec.sizeEntries + 1;
    this.capacityEntries = Math.max(1, Math.min(capacityMax, options.capacityEntriesInitial ?? CAPACITY_INITIAL_DEFAULT));
    this.words = new Uint32Array(this.capacityEntries * this.layout.strideWords);
    this.exps = new ExpQueue(this.words, this.layout.strideWords, this.capacityEntries);
    const numericKeys = spec.keyType === 'ip' || spec.keyType === 'integer';
    // Client addresses cluster (a /24 behind one NAT, a cloud range): 16 neighbouring addresses
    // share a block of slots, so they cost one cache miss between them, as in HAProxy's tree.
    this.index = numericKeys ? new Uint32KeyIndex(this.capacityEntries, { entriesMax: capacityMax, runBits: spec.keyType === 'ip' ? IP_KEY_RUN_BITS : 0 }) : new MapKeyIndex();
    this.keys = numericKeys ? new Uint32KeyColumn(this.capacityEntries) : new ArrayKeyColumn();
  }

  /** Entries in the table (`current`). */
  get used(): number {
    return this.currentEntries;
  }

  get size(): number {
    return this.spec.sizeEntries;
  }

  // -------------------------------------------------------------------------------------------
  // Lookup and creation
  // -------------------------------------------------------------------------------------------

  lookup(key: StoredKey): EntryRef {
    return this.index.get(key);
  }

  keyOf(ref: EntryRef): StoredKey {
    this.assertLive(ref);
    return this.keys.get(ref);
  }

  /**
   * `__stktable_get_entry`: the existing entry, or a new one (which may first evict a batch of
   * the oldest entries when the table is full). NO_ENTRY when it cannot be created.
   */
  getEntry(key: StoredKey, now: Tick): EntryRef {
    const found = this.index.get(key);
    if (found !== NO_ENTRY) return found;
    const ref = this.allocate(now);
    if (ref === NO_ENTRY) return NO_ENTRY;
    this.store(ref, key);
    return ref;
  }

  /**
   * `stksess_new` then `stktable_set_entry`, the path of the peers receiver and `stick store`:
   * a candidate entry is allocated BEFORE the key is looked up, so a full table evicts a batch
   * (or, with nopurge, refuses) even when the key already exists (spec §3.3 quirk).
   */
  setEntryAllocatingFirst(key: StoredKey, now: Tick, newEntryExpire?: Tick): EntryRef {
    this.lastSetCreated = false;
    // Room is made for the candidate whether or not the key exists (a full table evicts a batch
    // or, nopurge, refuses); an existing key's candidate would be freed at once, so it is never
    // taken (the next entry gets the same slot either way).
    if (!this.makeRoom(now)) return NO_ENTRY;
    const found = this.index.get(key);
    if (found !== NO_ENTRY) return found;
    const candidate = this.takeZeroed(now);
    // 3.2 (8f06c8fda): a peer update sets the new entry's expire before it is queued, so the
    // expiry tree holds it at that tick instead of now + table expire (docs S6).
    if (newEntryExpire !== undefined) this.words[candidate * this.layout.strideWords + H_EXPIRE] = newEntryExpire >>> 0;
    this.store(candidate, key);
    this.lastSetCreated = true;
    return candidate;
  }

  /** Whether the last `setEntryAllocatingFirst` created the entry (saves the caller a lookup). */
  lastSetCreated = false;

  /** `__stksess_new`: a zeroed entry with `expire = now + table.expire`, not yet keyed. */
  private allocate(now: Tick): EntryRef {
    if (!this.makeRoom(now)) return NO_ENTRY;
    return this.takeZeroed(now);
  }

  /** The full-table part of `__stksess_new`: false when no entry can be had (counted as refused). */
  private makeRoom(now: Tick): boolean {
    if (this.currentEntries < this.spec.sizeEntries) return true;
    if (this.spec.nopurge) {
      this.stats.refusedFull++;
      return false;
    }
    const batch = (this.spec.sizeEntries >>> 8) + 1;
    this.stats.evictionBatches++;
    const trashed = this.bucketer === undefined ? this.trashOldest(batch, now) : this.trashOldestPerBucket(batch, now, this.bucketer);
    if (trashed === 0) {
      this.stats.refusedFull++;
      return false;
    }
    return true;
  }

  /** The rest of `__stksess_new`, once there is room. */
  private takeZeroed(now: Tick): EntryRef {
    assert(this.currentEntries < this.spec.sizeEntries, 'room for one more entry');
    const ref = this.takeSlot();
    const base = ref * this.layout.strideWords;
    // A loop, not words.fill: for a dozen words the builtin's call costs more than the stores.
    const words = this.words;
    for (let i = base, end = base + this.layout.strideWords; i < end; i++) words[i] = 0;
    this.words[base + H_EXPIRE] = tickAdd(now, this.spec.expireMs);
    this.words[base + H_FLAGS] = FLAG_LIVE;
    this.currentEntries++;
    return ref;
  }

  /** `__stktable_store`: keyed, queued in the expiry tree at its expire, expiry task scheduled. */
  private store(ref: EntryRef, key: StoredKey): void {
    assert(!this.index.has(key), 'key stored once');
    this.keys.set(ref, key);
    this.index.set(key, ref);
    const expire = this.expireOf(ref);
    this.exps.insert(ref, expire);
    this.words[ref * this.layout.strideWords + H_FLAGS]! |= FLAG_IN_EXP_TREE;
    this.stats.created++;
    this.scheduleExpiry(expire);
  }

  private scheduleExpiry(expire: Tick): void {
    if (this.spec.expireMs === 0) return;
    const next = tickFirst(expire, this.expNextTick);
    if (next === this.expNextTick) return;
    this.expNextTick = next;
    this.onExpiryScheduled?.(next);
  }

  private takeSlot(): EntryRef {
    const reused = this.freeRefs.pop();
    if (reused !== undefined) return reused;
    if (this.refsUsedHigh === this.capacityEntries) this.grow();
    return this.refsUsedHigh++;
  }

  private grow(): void {
    const capacityMax = this.spec.sizeEntries + 1;
    // Fourfold: a table filling fast (a resync) copies its words a third as much as doubling does.
    const next = Math.min(capacityMax, this.capacityEntries * 4);
    assert(next > this.capacityEntries, 'storage grows within the table size');
    const words = new Uint32Array(next * this.layout.strideWords);
    words.set(this.words);
    this.words = words;
    this.capacityEntries = next;
    this.exps.resize(words, next);
    this.keys.resize(next);
  }

  private freeSlot(ref: EntryRef): void {
    const base = ref * this.layout.strideWords;
    this.words[base + H_FLAGS] = 0;
    this.currentEntries--;
    this.freeRefs.push(ref);
  }

  // -------------------------------------------------------------------------------------------
  // Touches, references, removal
  // -------------------------------------------------------------------------------------------

  /** `stktable_touch_local`: expire refreshed to now + table.expire; peers told (local update). */
  touchLocal(ref: EntryRef, now: Tick): void {
    this.setExpireAndSchedule(ref, tickAdd(now, this.spec.expireMs));
    this.syncHooks?.touchedLocal(this, ref);
  }

  /** `stktable_touch_remote`: keeps the expiry the update handler set; peers told (remote). */
  touchRemote(ref: EntryRef): void {
    this.setExpireAndSchedule(ref, this.expireOf(ref));
    this.syncHooks?.touchedRemote(this, ref);
  }

  /** Sets `expire` without touching the expiry tree node (HAProxy updates that lazily). */
  setExpire(ref: EntryRef, expire: Tick): void {
    this.assertLive(ref);
    this.words[ref * this.layout.strideWords + H_EXPIRE] = expire >>> 0;
  }

  private setExpireAndSchedule(ref: EntryRef, expire: Tick): void {
    this.setExpire(ref, expire);
    this.scheduleExpiry(expire);
  }

  /**
   * The expiry tree key of an entry (set when it was queued, not moved by touches: spec §3.2).
   * An unreferenced entry is purged once both this tick and its expire are past; eternity when it
   * is not queued.
   */
  treeKeyOf(ref: EntryRef): Tick {
    return this.exps.contains(ref) ? this.exps.treeKey(ref) : TICK_ETERNITY;
  }

  expireOf(ref: EntryRef): Tick {
    return tickFromWord(this.words[ref * this.layout.strideWords + H_EXPIRE]!);
  }

  refCount(ref: EntryRef): number {
    return this.words[ref * this.layout.strideWords + H_REF_CNT]!;
  }

  /** Takes a reference (a tracker, a dumper, a sender): a referenced entry is never purged. */
  refInc(ref: EntryRef): void {
    this.assertLive(ref);
    this.words[ref * this.layout.strideWords + H_REF_CNT]!++;
  }

  refDec(ref: EntryRef): void {
    this.assertLive(ref);
    const at = ref * this.layout.strideWords + H_REF_CNT;
    assert(this.words[at]! > 0, 'reference count never goes below zero');
    this.words[at]!--;
  }

  /** `stksess_kill_if_expired(decref)`: drops a reference; frees the entry if it is expired. */
  release(ref: EntryRef, now: Tick): void {
    this.refDec(ref);
    this.killIfExpired(ref, now);
  }

  /** `__stksess_kill_if_expired`: only for tables with an expire. */
  killIfExpired(ref: EntryRef, now: Tick): boolean {
    if (this.spec.expireMs === 0) return false;
    if (!tickIsExpired(this.expireOf(ref), now)) return false;
    return this.kill(ref, 'expired');
  }

  /** `__stksess_kill`: removes an unreferenced entry; false when it is referenced. */
  kill(ref: EntryRef, reason: 'expired' | 'evicted' | 'cleared'): boolean {
    this.assertLive(ref);
    if (this.refCount(ref) > 0) return false;
    this.syncHooks?.removing(this, ref);
    this.exps.remove(ref);
    const key = this.keys.get(ref);
    this.index.delete(key);
    this.freeSlot(ref);
    if (reason === 'expired') this.stats.expired++;
    else if (reason === 'evicted') this.stats.evicted++;
    else this.stats.cleared++;
    return true;
  }

  isLive(ref: EntryRef): boolean {
    if (ref < 0 || ref >= this.refsUsedHigh) return false;
    return (this.words[ref * this.layout.strideWords + H_FLAGS]! & FLAG_LIVE) !== 0;
  }

  private assertLive(ref: EntryRef): void {
    if (!this.isLive(ref)) fail(`entry ${ref} is live`);
  }

  // -------------------------------------------------------------------------------------------
  // Expiry task and eviction (spec §3.2, §3.3)
  // -------------------------------------------------------------------------------------------

  /**
   * `process_table_expire`: frees every unreferenced entry whose tree key and expire are both
   * past; requeues entries whose expire moved later. Returns (and stores) the next run tick.
   */
  processExpire(now: Tick): Tick {
    const skipped: EntryRef[] = [];
    let next: Tick = TICK_ETERNITY;
    const visitsMax = 2 * this.currentEntries + 2;
    for (let visits = 0; ; visits++) {
      assert(visits <= visitsMax, 'expiry walk is bounded');
      const top = this.exps.peek();
      if (top === NO_ENTRY) break;
      const key = this.exps.treeKey(top);
      if (tickIsLt(now, key)) {
        next = key;
        break;
      }
      this.exps.pop();
      if (this.refCount(top) > 0) {
        skipped.push(top);
        continue;
      }
      const expire = this.expireOf(top);
      if (!tickIsExpired(expire, now)) {
        this.requeue(top, expire);
        continue;
      }
      this.dequeueAndKill(top, 'expired');
    }
    for (const ref of skipped) this.exps.reinsertUnchanged(ref);
    this.expNextTick = this.spec.expireMs > 0 ? next : TICK_ETERNITY;
    return this.expNextTick;
  }

  /**
   * `__stktable_trash_oldest`: evicts up to `batch` unreferenced entries oldest-first by tree key
   * (expired or not), visiting at most 2×batch nodes; stale nodes are requeued at their expire.
   */
  trashOldest(batch: number, now: Tick): number {
    void now;
    let searchLeft = batch * 2;
    let batched = 0;
    const skipped: EntryRef[] = [];
    while (batched < batch) {
      const top = this.exps.peek();
      if (top === NO_ENTRY) break;
      if (--searchLeft < 0) break;
      this.exps.pop();
      if (this.refCount(top) > 0) {
        skipped.push(top);
        continue;
      }
      const expire = this.expireOf(top);
      if (expire !== this.exps.treeKey(top)) {
        this.requeue(top, expire);
        continue;
      }
      this.dequeueAndKill(top, 'evicted');
      batched++;
    }
    for (const ref of skipped) this.exps.reinsertUnchanged(ref);
    return batched;
  }

  /**
   * 3.x `stktable_trash_oldest`: buckets from 0 upwards; in each, from the first tree key at or
   * after now - TIMER_LOOK_BACK (wrapping once to the smallest key), evict up to
   * ceil(batch / buckets) unreferenced entries whose tree key is their expire; a stale node is
   * requeued at its expire and the scan continues from whichever of it and the next node comes
   * first. At most 2×batch nodes are visited in all. Only 3.x profiles come here.
   */
  private trashOldestPerBucket(batchWanted: number, now: Tick, bucketer: KeyBucketer): number {
    const rule = this.profile.eviction;
    assert(rule.kind === 'per-bucket', 'per-bucket eviction rule');
    const toBatch = rule.batchFixed ? rule.batchMax : Math.min(batchWanted, rule.batchMax);
    const buckets = bucketer.buckets;
    const queued: EntryRef[][] = [];
    for (let b = 0; b < buckets; b++) queued.push([]);
    for (let ref = 0; ref < this.refsUsedHigh; ref++) {
      if (this.isLive(ref) && this.exps.contains(ref)) queued[bucketer.bucketOf(this.keys.get(ref))]!.push(ref);
    }
    const order = (a: EntryRef, b: EntryRef): number =>
      this.exps.treeKey(a) - this.exps.treeKey(b) || ((this.exps.seq(a) - this.exps.seq(b)) | 0);
    const lookFrom = (now - TIMER_LOOK_BACK_MS) >>> 0;
    const maxPerBucket = Math.ceil(toBatch / buckets);
    let maxSearch = toBatch * 2;
    let batched = 0;
    for (let bucket = 0; bucket < buckets && batched < toBatch; bucket++) {
      const list = queued[bucket]!.sort(order);
      let done = 0;
      let looped = false;
      let at = list.findIndex((r) => this.exps.treeKey(r) >= lookFrom);
      if (at < 0) at = list.length;
      for (let visits = 0; batched < toBatch && done < maxPerBucket; visits++) {
        assert(visits <= 2 * toBatch + list.length + 2, 'bucket scan is bounded');
        if (at >= list.length) {
          if (looped || list.length === 0) break;
          looped = true;
          at = 0;
        }
        if (--maxSearch < 0) break;
        const ref = list[at]!;
        at++;
        if (this.refCount(ref) > 0) continue;
        list.splice(at - 1, 1);
        at--;
        const expire = this.expireOf(ref);
        if (expire !== this.exps.treeKey(ref)) {
          this.exps.remove(ref);
          if (!tickIsSet(expire)) {
            this.clearFlag(ref, FLAG_IN_EXP_TREE);
            continue;
          }
          this.exps.insert(ref, expire);
          let next = list[at] ?? list[0];
          let insertAt = list.findIndex((r) => order(ref, r) < 0);
          if (insertAt < 0) insertAt = list.length;
          list.splice(insertAt, 0, ref);
          if (next === undefined || tickIsLt(expire, this.exps.treeKey(next))) next = ref;
          at = list.indexOf(next);
          continue;
        }
        this.exps.remove(ref);
        this.dequeueAndKill(ref, 'evicted');
        batched++;
        done++;
      }
      if (maxSearch <= 0) break;
    }
    return batched;
  }

  /** A popped node whose entry's expire moved: back in the queue at that expire (out if unset). */
  private requeue(ref: EntryRef, expire: Tick): void {
    if (!tickIsSet(expire)) {
      this.clearFlag(ref, FLAG_IN_EXP_TREE);
      return;
    }
    this.exps.insert(ref, expire);
  }

  /** A popped, unreferenced node whose time has come: the entry goes. */
  private dequeueAndKill(ref: EntryRef, reason: 'expired' | 'evicted'): void {
    this.clearFlag(ref, FLAG_IN_EXP_TREE);
    this.kill(ref, reason);
  }

  private clearFlag(ref: EntryRef, flag: number): void {
    this.words[ref * this.layout.strideWords + H_FLAGS]! &= ~flag;
  }

  // -------------------------------------------------------------------------------------------
  // Iteration
  // -------------------------------------------------------------------------------------------

  /**
   * Live entries in `show table` order: the key tree's order (spec §1.2); with buckets (3.x),
   * bucket by bucket, key order inside each.
   */
  refsInKeyOrder(): EntryRef[] {
    const type = this.spec.keyType;
    const refs: EntryRef[] = [];
    for (let ref = 0; ref < this.refsUsedHigh; ref++) if (this.isLive(ref)) refs.push(ref);
    const keys = this.keys;
    const bucketer = this.bucketer;
    if (bucketer === undefined) {
      refs.sort((a, b) => compareKeys(type, keys.get(a), keys.get(b)));
      return refs;
    }
    const bucketOf = new Map<EntryRef, number>();
    for (const ref of refs) bucketOf.set(ref, bucketer.bucketOf(keys.get(ref)));
    refs.sort((a, b) => bucketOf.get(a)! - bucketOf.get(b)! || compareKeys(type, keys.get(a), keys.get(b)));
    return refs;
  }

  /** The peer shard of an entry as `show table` prints it (` shard=N`): 0 without peer shards. */
  peerShardOf(ref: EntryRef): number {
    this.assertLive(ref);
    return 0;
  }

  // -------------------------------------------------------------------------------------------
  // Data access
  // -------------------------------------------------------------------------------------------

  slot(typeId: number): StoredSlot | undefined {
    return this.layout.slots[typeId];
  }

  stores(typeId: number): boolean {
    return this.layout.slots[typeId] !== undefined;
  }

  /** Raw storage for pure leaves (freq counters): words and the absolute word index of a value. */
  wordsView(): Uint32Array {
    return this.words;
  }

  wordAt(ref: EntryRef, slot: StoredSlot, index: number): number {
    assert(index >= 0 && index < slot.count, 'array index within the stored count');
    return ref * this.layout.strideWords + slot.offsetWords + index * slot.wordsPerElement;
  }

  getUint(ref: EntryRef, slot: StoredSlot, index = 0): number {
    return this.words[this.wordAt(ref, slot, index)]!;
  }

  getSint(ref: EntryRef, slot: StoredSlot, index = 0): number {
    return this.words[this.wordAt(ref, slot, index)]! | 0;
  }

  /** Stores the low 32 bits of `value` (uint and sint share the same bits). */
  setUint32(ref: EntryRef, slot: StoredSlot, value: number, index = 0): void {
    this.words[this.wordAt(ref, slot, index)] = value >>> 0;
  }

  addUint(ref: EntryRef, slot: StoredSlot, delta: number, index = 0): number {
    const at = this.wordAt(ref, slot, index);
    const v = (this.words[at]! + delta) >>> 0;
    this.words[at] = v;
    return v;
  }

  getUll(ref: EntryRef, slot: StoredSlot, index = 0): bigint {
    const at = this.wordAt(ref, slot, index);
    return (BigInt(this.words[at]!) << 32n) | BigInt(this.words[at + 1]!);
  }

  setUll(ref: EntryRef, slot: StoredSlot, value: bigint, index = 0): void {
    const at = this.wordAt(ref, slot, index);
    const v = BigInt.asUintN(64, value);
    this.words[at] = Number(v >> 32n);
    this.words[at + 1] = Number(v & 0xffffffffn);
  }

  addUll(ref: EntryRef, slot: StoredSlot, delta: number, index = 0): void {
    const at = this.wordAt(ref, slot, index);
    const lo = this.words[at + 1]! + delta;
    this.words[at + 1] = lo >>> 0;
    this.words[at] = (this.words[at]! + Math.floor(lo / 0x1_0000_0000)) >>> 0;
  }

  frqpUpdate(ref: EntryRef, slot: StoredSlot, now: Tick, inc: number, index = 0): void {
    freqCtrUpdate(this.words, this.wordAt(ref, slot, index), now, slot.periodMs, inc);
  }

  frqpRead(ref: EntryRef, slot: StoredSlot, now: Tick, index = 0): number {
    return freqCtrRead(this.words, this.wordAt(ref, slot, index), now, slot.periodMs);
  }

  frqpSet(ref: EntryRef, slot: StoredSlot, now: Tick, value: number, index = 0): void {
    freqCtrSet(this.words, this.wordAt(ref, slot, index), now, value);
  }

  /** The server_key string, or undefined when unset. */
  getDict(ref: EntryRef, slot: StoredSlot): string | undefined {
    const id = this.words[this.wordAt(ref, slot, 0)]!;
    return id === 0 ? undefined : this.dictNames[id];
  }

  setDict(ref: EntryRef, slot: StoredSlot, value: string | undefined): void {
    let id = 0;
    if (value !== undefined) {
      id = this.dictIds.get(value) ?? 0;
      if (id === 0) {
        id = this.dictNames.length;
        this.dictNames.push(value);
        this.dictIds.set(value, id);
      }
    }
    this.words[this.wordAt(ref, slot, 0)] = id;
  }

  /** Approximate bytes held per entry slot (storage words + index + key), for the benchmark. */
  storageBytes(): number {
    return this.words.byteLength + this.capacityEntries * 8 * 2;
  }
}
