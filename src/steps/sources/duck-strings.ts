/**
 * Reading a DuckDB VARCHAR vector as binary strings (one char per UTF-8 byte), the form the Example encoder copies
 * and the statistics count, without decoding UTF-8 into JS strings and back.
 *
 * DuckDB stores each value as a 16-byte `string_t`: a uint32 length, then either the bytes themselves (up to 12,
 * "inlined") or a prefix and a pointer. Inlined values are read straight from the vector's memory; a small
 * per-column cache maps their 16 bytes to the string made before, so a column of few distinct values builds each
 * string once. A column of many distinct values, whose cache is full and mostly misses, stops asking it (a miss
 * in a full table probes about as long as making the string). Longer values, and vectors that do not expose
 * their memory, go through `getItem`.
 * @module
 */
import type { DuckDBDataChunk } from "@duckdb/node-api";
import { binaryKeyOfText } from "../../data/stats/columns.js";

type DuckVector = ReturnType<DuckDBDataChunk["getColumnVector"]>;

const SLOTS = 4096; // a power of two
const MAX_ENTRIES = 3072;
const INLINE = 12;
/** Lookups of a full cache after which it is judged, and the hits below which it is given up. */
const JUDGE_AFTER = 4096;
const MIN_HITS = JUDGE_AFTER / 2;

/** Cache of inlined strings by their (length, 12 masked bytes), per column; stops growing when full. */
export class InlineStringCache {
  readonly #words = new Int32Array(SLOTS * 4);
  readonly #strings: (string | undefined)[] = new Array<string | undefined>(SLOTS);
  #entries = 0;
  /** Lookups and hits since the cache filled up. */
  #lookups = 0;
  #hits = 0;
  #useful = true;

  /** False once a full cache missed too often: the column's values are then made without it. */
  get useful(): boolean {
    return this.#useful;
  }

  /**
   * Count a lookup of a full cache; after {@link JUDGE_AFTER} of them, a cache that hit fewer than half the time
   * is given up ({@link useful} turns false).
   */
  judge(hit: boolean): void {
    if (this.#entries < MAX_ENTRIES || this.#lookups >= JUDGE_AFTER) return;
    this.#lookups++;
    if (hit) this.#hits++;
    if (this.#lookups === JUDGE_AFTER && this.#hits < MIN_HITS) this.#useful = false;
  }

  /** The cached string of an inlined value, or undefined. `w` are the masked words (length, bytes 0-3, 4-7, 8-11). */
  get(w0: number, w1: number, w2: number, w3: number): string | undefined {
    const words = this.#words;
    let slot = hash(w0, w1, w2, w3) & (SLOTS - 1);
    for (;;) {
      const s = this.#strings[slot];
      if (s === undefined) return undefined;
      const at = slot * 4;
      if (words[at] === w0 && words[at + 1] === w1 && words[at + 2] === w2 && words[at + 3] === w3) return s;
      slot = (slot + 1) & (SLOTS - 1);
    }
  }

  /** Remember a string (ignored once the cache is full). */
  set(w0: number, w1: number, w2: number, w3: number, value: string): void {
    if (this.#entries >= MAX_ENTRIES) return;
    let slot = hash(w0, w1, w2, w3) & (SLOTS - 1);
    while (this.#strings[slot] !== undefined) slot = (slot + 1) & (SLOTS - 1);
    const at = slot * 4;
    this.#words[at] = w0;
    this.#words[at + 1] = w1;
    this.#words[at + 2] = w2;
    this.#words[at + 3] = w3;
    this.#strings[slot] = value;
    this.#entries++;
  }
}

function hash(a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ b ^ (h >>> 15), 0xc2b2ae35);
  h = Math.imul(h ^ c ^ (h >>> 13), 0x85ebca6b);
  h = Math.imul(h ^ d ^ (h >>> 16), 0xc2b2ae35);
  return (h ^ (h >>> 15)) >>> 0;
}

/**
 * The binary string of `len` (at most 12) bytes from `at`: built char by char, which for strings this short
 * (V8 makes them flat, not ropes) is about twice as fast as `Buffer#toString("latin1")`.
 */
function inlineString(bytes: Uint8Array, at: number, len: number): string {
  let s = "";
  for (let i = at; i < at + len; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** Mask keeping the first `n` (0..4) little-endian bytes of a word. */
function mask(n: number): number {
  return n >= 4 ? -1 : n <= 0 ? 0 : (1 << (8 * n)) - 1;
}

/**
 * The values of `rows` rows of a VARCHAR vector as binary strings (null for NULL). With `littleEndian` false or
 * a vector of another shape, every value goes through `getItem`.
 */
export function readVarcharKeys(vector: DuckVector, rows: number, cache: InlineStringCache, littleEndian: boolean): (string | null)[] {
  const keys: (string | null)[] = new Array<string | null>(rows);
  const raw = vector as unknown as { dataView?: unknown; validity?: { data?: BigUint64Array | null; offset?: number } };
  const view = raw.dataView;
  const validity = raw.validity;
  if (
    !littleEndian ||
    !(view instanceof DataView) ||
    view.byteOffset % 4 !== 0 ||
    view.byteLength < rows * 16 ||
    validity === undefined ||
    !("data" in validity) ||
    (validity.offset ?? 0) !== 0
  ) {
    for (let r = 0; r < rows; r++) {
      const v = vector.getItem(r) as unknown;
      keys[r] = v === null || v === undefined ? null : binaryKeyOfText(String(v));
    }
    return keys;
  }
  const words = new Int32Array(view.buffer, view.byteOffset, rows * 4);
  const bytes = Buffer.from(view.buffer, view.byteOffset, rows * 16);
  const validWords = validity.data;
  const bits = validWords ? new Uint8Array(validWords.buffer, validWords.byteOffset, validWords.byteLength) : undefined;
  for (let r = 0; r < rows; r++) {
    if (bits && ((((bits[r >> 3] as number) >> (r & 7)) & 1) === 0)) {
      keys[r] = null;
      continue;
    }
    const at = r * 4;
    const len = words[at] as number;
    if (len > INLINE || len < 0) {
      const v = vector.getItem(r) as unknown;
      keys[r] = v === null || v === undefined ? null : binaryKeyOfText(String(v));
      continue;
    }
    if (!cache.useful) {
      keys[r] = inlineString(bytes, r * 16 + 4, len);
      continue;
    }
    const w1 = (words[at + 1] as number) & mask(len);
    const w2 = (words[at + 2] as number) & mask(len - 4);
    const w3 = (words[at + 3] as number) & mask(len - 8);
    let key = cache.get(len, w1, w2, w3);
    cache.judge(key !== undefined);
    if (key === undefined) {
      key = inlineString(bytes, r * 16 + 4, len);
      cache.set(len, w1, w2, w3, key);
    }
    keys[r] = key;
  }
  return keys;
}
