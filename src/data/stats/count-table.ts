/**
 * A counting hash table keyed by strings, built on typed arrays so that hundreds of thousands of inserts stay
 * cheap (a V8 `Map` of that size costs several cache misses per insert).
 *
 * Entries live densely in insertion order: key, count and two 32-bit hashes of the key from the function the
 * table was made with (the first indexes the table, the second is only kept for the caller). While the table is
 * small, a `Map` from key to entry finds entries: V8 hashes strings natively, faster than a hash written in JS,
 * and a small map stays in cache. Past {@link tuning}`.mapIndexLimit` entries, or once entries are dropped (a
 * sign of many distinct keys), the table switches for good to an open-addressing index over the stored hashes
 * (linear probing, at most 3/4 full) kept in two arrays: one control byte per slot (0 = empty, else 0x80 plus
 * the hash's top 7 bits) and the slot's entry number. Looking up an absent key, the common case with many
 * distinct keys, then reads only control bytes, which are small enough to stay in cache; entry numbers and keys
 * are read only when a control byte matches. Either way keys are compared exactly, never by hash alone.
 * Dropping entries keeps the order of the rest, so the entry order is that of a `Map` receiving the same
 * operations.
 *
 * With the typed index, keys are kept as their UTF-16 code units in one growing arena rather than as strings:
 * a table of many distinct keys would otherwise hold tens of thousands of short strings that every young-generation
 * collection copies and promotes (measured: a 523,000-distinct column in 8 shards cost about 0.8 s of CPU per
 * million values, most of it garbage collection). The key given to {@link CountTable.insert} is copied and can
 * die young; {@link CountTable.keyAt} makes a string again when asked.
 * @module
 */

/** Performance knobs (they never change results); tests lower `mapIndexLimit` to exercise the typed index. */
export const tuning = {
  /** Entries a table indexes with a `Map` before switching to its typed index (read when a table is made). */
  mapIndexLimit: 4096,
};

/** At most this fraction of the typed index's slots is used. */
const MAX_LOAD = 0.75;
const INITIAL_CAPACITY = 8;

/**
 * Fills `out[0]` and `out[1]` with two 32-bit hashes of `key`; the first one indexes the table, so it must be
 * well mixed in its low bits.
 */
export type KeyHasher = (key: string, out: Int32Array) => void;

/**
 * String-keyed counts in typed arrays, keeping two 32-bit hashes per entry.
 * @example
 * const t = new CountTable((k, out) => murmur3BinaryPair(k, 0, 1, out));
 * t.find("a");                 // -1: absent
 * t.insert("a", 1);            // entry 0, count 1
 * t.addCount(t.find("a"), 1);  // count 2
 * [t.keyAt(0), t.countAt(0)];  // ["a", 2]
 */
export class CountTable {
  private n = 0;
  /**
   * The keys while a `Map` indexes them, preallocated to the capacity (writes into a fixed array are much cheaper
   * than `push`; null past `size`); null once the typed index took over and the keys moved to the arena.
   */
  private keys: (string | null)[] | null = new Array<string | null>(INITIAL_CAPACITY).fill(null);
  /** With the typed index: the keys' code units back to back, and each entry's start and length there. */
  private arena = new Uint16Array(0);
  private arenaUsed = 0;
  private keyStarts = new Int32Array(0);
  private keyLengths = new Int32Array(0);
  private counts = new Float64Array(INITIAL_CAPACITY);
  private hashes = new Int32Array(INITIAL_CAPACITY);
  private hashes2 = new Int32Array(INITIAL_CAPACITY);
  private readonly mapLimit = tuning.mapIndexLimit;
  /** Key to entry while the table is small; null once the typed index took over. */
  private map: Map<string, number> | null = this.mapLimit > 0 ? new Map() : null;
  /** Typed index: per slot, 0 = empty or {@link control} of the entry's hash; and the entry number. */
  private control = new Uint8Array(0);
  private slots = new Int32Array(0);
  private mask = 0;
  /** The hashes of `hashedKey` (the last key hashed), so that an insert after a failed lookup hashes nothing. */
  private readonly pair = new Int32Array(2);
  private hashedKey: string | null = null;

  /** @param hasher The key's two hashes, see {@link CountTable.hashAt} and {@link CountTable.hash2At}. */
  constructor(private readonly hasher: KeyHasher) {
    if (this.map === null) this.useTypedIndex();
  }

  /** Number of entries (indices 0..size-1). */
  get size(): number {
    return this.n;
  }

  /** The entry index of `key`, or -1 when absent. */
  find(key: string): number {
    const map = this.map;
    if (map !== null) {
      const e = map.get(key);
      return e === undefined ? -1 : e;
    }
    this.hasher(key, this.pair);
    this.hashedKey = key;
    const hash = this.pair[0];
    const tag = control(hash);
    const ctrl = this.control;
    const mask = this.mask;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const c = ctrl[s];
      if (c === 0) return -1;
      if (c === tag) {
        const e = this.slots[s] as number;
        if (this.arenaKeyIs(e, key)) return e;
      }
    }
  }

  /** Append an entry for `key`, which must be absent (see {@link CountTable.find}); returns its index. */
  insert(key: string, count: number): number {
    if (key !== this.hashedKey) {
      this.hasher(key, this.pair);
      this.hashedKey = key;
    }
    const hash = this.pair[0];
    const e = this.n;
    if (e === this.counts.length) this.growEntries();
    this.counts[e] = count;
    this.hashes[e] = hash;
    this.hashes2[e] = this.pair[1];
    this.n = e + 1;
    const keys = this.keys;
    if (keys !== null) {
      keys[e] = key;
      if (e < this.mapLimit) {
        (this.map as Map<string, number>).set(key, e);
        return e;
      }
      this.useTypedIndex(); // too big for a Map: switch to the typed index, which then covers entry e too
      return e;
    }
    this.storeKey(e, key);
    if (e + 1 > this.control.length * MAX_LOAD) {
      this.rebuildIndex();
    } else {
      this.place(hash, e);
    }
    return e;
  }

  /** Set the count of `key`, inserting it when absent, as `Map.set` does. */
  set(key: string, count: number): void {
    const e = this.find(key);
    if (e >= 0) this.counts[e] = count;
    else this.insert(key, count);
  }

  /** Add `delta` to the count of entry `e`. */
  addCount(e: number, delta: number): void {
    this.counts[e] += delta;
  }

  /** The key of entry `e`. */
  keyAt(e: number): string {
    if (this.keys !== null) return this.keys[e] as string;
    const at = this.keyStarts[e] as number;
    return codeUnitsToString(this.arena, at, at + (this.keyLengths[e] as number));
  }

  /** The count of entry `e`. */
  countAt(e: number): number {
    return this.counts[e];
  }

  /** The first hash of entry `e`'s key (as a signed 32-bit int). */
  hashAt(e: number): number {
    return this.hashes[e];
  }

  /** The second hash of entry `e`'s key (as a signed 32-bit int). */
  hash2At(e: number): number {
    return this.hashes2[e];
  }

  /** Keep only the entries whose count exceeds `cut`, each lowered by `cut`, in their order. */
  retainAbove(cut: number): void {
    if (this.keys !== null) this.useTypedIndex(); // a table that drops entries sees many new keys: the typed index inserts them faster
    const { counts, hashes, hashes2, keyStarts, keyLengths, arena } = this;
    const size = this.n;
    let kept = 0;
    let used = 0;
    for (let e = 0; e < size; e++) {
      const c = counts[e] as number;
      if (!(c > cut)) continue;
      const start = keyStarts[e] as number;
      const length = keyLengths[e] as number;
      if (start !== used) arena.copyWithin(used, start, start + length); // kept keys only move towards the front
      keyStarts[kept] = used;
      keyLengths[kept] = length;
      used += length;
      counts[kept] = c - cut;
      hashes[kept] = hashes[e] as number;
      hashes2[kept] = hashes2[e] as number;
      kept++;
    }
    this.n = kept;
    this.arenaUsed = used;
    this.rebuildIndex();
  }

  /** Leave the `Map` for good: move the keys into the arena and index the entries in the typed index. */
  private useTypedIndex(): void {
    const keys = this.keys;
    this.map = null;
    this.keys = null;
    this.keyStarts = new Int32Array(this.counts.length);
    this.keyLengths = new Int32Array(this.counts.length);
    if (keys !== null) for (let e = 0; e < this.n; e++) this.storeKey(e, keys[e] as string);
    this.rebuildIndex();
  }

  /** Copy `key`'s code units to the end of the arena as entry `e`'s key. */
  private storeKey(e: number, key: string): void {
    const length = key.length;
    let at = this.arenaUsed;
    if (at + length > this.arena.length) {
      const arena = new Uint16Array(Math.max(2 * this.arena.length, at + length, 1024));
      arena.set(this.arena.subarray(0, at));
      this.arena = arena;
    }
    const arena = this.arena;
    for (let i = 0; i < length; i++) arena[at++] = key.charCodeAt(i);
    this.keyStarts[e] = this.arenaUsed;
    this.keyLengths[e] = length;
    this.arenaUsed = at;
  }

  /** Whether entry `e`'s key (in the arena) is `key`. */
  private arenaKeyIs(e: number, key: string): boolean {
    const length = key.length;
    if (this.keyLengths[e] !== length) return false;
    const arena = this.arena;
    const start = this.keyStarts[e] as number;
    for (let i = 0; i < length; i++) if (arena[start + i] !== key.charCodeAt(i)) return false;
    return true;
  }

  private growEntries(): void {
    const capacity = 2 * this.counts.length;
    if (this.keys !== null) {
      const keys = new Array<string | null>(capacity).fill(null);
      for (let e = 0; e < this.n; e++) keys[e] = this.keys[e] as string;
      this.keys = keys;
    } else {
      this.keyStarts = grown(this.keyStarts, capacity);
      this.keyLengths = grown(this.keyLengths, capacity);
    }
    this.counts = grown(this.counts, capacity);
    this.hashes = grown(this.hashes, capacity);
    this.hashes2 = grown(this.hashes2, capacity);
  }

  /** Rebuild the typed index from the entries, with room for one more (growing it as needed). */
  private rebuildIndex(): void {
    let length = Math.max(this.control.length, 16);
    while (this.n + 1 > length * MAX_LOAD) length *= 2;
    if (length === this.control.length) {
      this.control.fill(0);
    } else {
      this.control = new Uint8Array(length);
      this.slots = new Int32Array(length);
    }
    this.mask = length - 1;
    for (let e = 0; e < this.n; e++) this.place(this.hashes[e], e);
  }

  private place(hash: number, e: number): void {
    const ctrl = this.control;
    const mask = this.mask;
    let s = hash & mask;
    while (ctrl[s] !== 0) s = (s + 1) & mask;
    ctrl[s] = control(hash);
    this.slots[s] = e;
  }
}

/** A copy of `array` with room for `capacity` items. */
function grown<A extends Int32Array | Float64Array>(array: A, capacity: number): A {
  const out = new (array.constructor as new (n: number) => A)(capacity);
  out.set(array);
  return out;
}

/** The string of code units `[from, to)` of `units` (in slices: `fromCharCode` takes its arguments on the stack). */
function codeUnitsToString(units: Uint16Array, from: number, to: number): string {
  if (to - from <= 16) {
    let s = "";
    for (let i = from; i < to; i++) s += String.fromCharCode(units[i] as number);
    return s;
  }
  let s = "";
  for (let i = from; i < to; i += 4096) s += String.fromCharCode(...units.subarray(i, Math.min(to, i + 4096)));
  return s;
}

/** The control byte of an occupied slot: 0x80 plus the hash's top 7 bits (the low bits pick the slot). */
function control(hash: number): number {
  return 0x80 | (hash >>> 25);
}
