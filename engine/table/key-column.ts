/**
 * Each entry's key by ref. ip and integer keys (uint32) sit in a typed array grown with the
 * table's storage (4 bytes an entry, no boxing); string and binary keys in a plain array.
 */
import type { StoredKey } from './keys.ts';

export interface KeyColumn {
  get(ref: number): StoredKey;
  set(ref: number, key: StoredKey): void;
  /** The table's storage grew to `capacityEntries`. */
  resize(capacityEntries: number): void;
}

export class Uint32KeyColumn implements KeyColumn {
  private keys: Uint32Array;
  constructor(capacityEntries: number) {
    this.keys = new Uint32Array(capacityEntries);
  }
  get(ref: number): StoredKey {
    return this.keys[ref]!;
  }
  set(ref: number, key: StoredKey): void {
    this.keys[ref] = key as number;
  }
  resize(capacityEntries: number): void {
    if (capacityEntries <= this.keys.length) return;
    const keys = new Uint32Array(capacityEntries);
    keys.set(this.keys);
    this.keys = keys;
  }
}

export class ArrayKeyColumn implements KeyColumn {
  private readonly keys: StoredKey[] = [];
  get(ref: number): StoredKey {
    return this.keys[ref]!;
  }
  set(ref: number, key: StoredKey): void {
    this.keys[ref] = key;
  }
  resize(): void {}
}
