/**
 * The typed-array {@link ValueCounter} must keep exactly the observable state of the original Map-based one:
 * a frozen copy of that implementation (the reference below, with its HyperLogLog and MurmurHash3) runs the
 * same seeded operation sequences and every toJSON()/distinct()/exact/entries() must be equal.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import { CountTable, tuning, type KeyHasher } from "../../src/data/stats/count-table.js";
import { murmur3BinaryPair } from "../../src/data/stats/hash.js";
import { selectKth } from "../../src/data/stats/select.js";
import { ValueCounter, type ValueCounterState } from "../../src/data/stats/value-counter.js";

// ---------------------------------------------------------------------------------------------------------------
// Reference: verbatim copy of src/data/stats/{hash,hll,value-counter}.ts before the typed-array rewrite.
// ---------------------------------------------------------------------------------------------------------------

function refMurmur3Binary(key: string, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = key.length;
  const blocks = len & ~3;
  let h = seed >>> 0;
  for (let i = 0; i < blocks; i += 4) {
    let k =
      (key.charCodeAt(i) & 0xff) |
      ((key.charCodeAt(i + 1) & 0xff) << 8) |
      ((key.charCodeAt(i + 2) & 0xff) << 16) |
      ((key.charCodeAt(i + 3) & 0xff) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (key.charCodeAt(blocks + 2) & 0xff) << 16;
    if (tail >= 2) k ^= (key.charCodeAt(blocks + 1) & 0xff) << 8;
    k ^= key.charCodeAt(blocks) & 0xff;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEED_INDEX = 0x2f1c_a9e3;
const SEED_RANK = 0x5bd1_e995;

interface RefHllState {
  readonly precision: number;
  readonly registers: string;
}

class RefHyperLogLog {
  readonly precision: number;
  private readonly registers: Uint8Array;

  constructor(precision: number) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 18) {
      throw new KoanError("DATA_INVALID", `HyperLogLog precision must be an integer in [4, 18], got ${precision}`);
    }
    this.precision = precision;
    this.registers = new Uint8Array(1 << precision);
  }

  add(key: string): void {
    const index = refMurmur3Binary(key, SEED_INDEX) >>> (32 - this.precision);
    const rank = Math.clz32(refMurmur3Binary(key, SEED_RANK)) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  merge(other: RefHyperLogLog): void {
    if (other.precision !== this.precision) {
      throw new KoanError("DATA_INVALID", `cannot merge HyperLogLog sketches of precision ${this.precision} and ${other.precision}`);
    }
    for (let i = 0; i < this.registers.length; i++) {
      if (other.registers[i] > this.registers[i]) this.registers[i] = other.registers[i];
    }
  }

  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }

  toJSON(): RefHllState {
    return { precision: this.precision, registers: Buffer.from(this.registers).toString("base64") };
  }

  static fromJSON(state: RefHllState): RefHyperLogLog {
    if (typeof state !== "object" || state === null || typeof state.registers !== "string") {
      throw new KoanError("FORMAT_INVALID", "invalid HyperLogLog state: expected { precision, registers }");
    }
    const h = new RefHyperLogLog(state.precision);
    const bytes = Buffer.from(state.registers, "base64");
    if (bytes.length !== h.registers.length || bytes.some((r) => r > 33)) {
      throw new KoanError("FORMAT_INVALID", `invalid HyperLogLog state: expected ${h.registers.length} registers of at most 33`);
    }
    h.registers.set(bytes);
    return h;
  }
}

interface RefValueCounterState {
  readonly entries: readonly (readonly [string, number])[];
  readonly hll: RefHllState | null;
}

class RefValueCounter {
  private counts = new Map<string, number>();
  private hll: RefHyperLogLog | null = null;

  constructor(
    readonly maxExact: number,
    readonly hllPrecision: number,
  ) {}

  get exact(): boolean {
    return this.hll === null;
  }

  add(key: string): void {
    const c = this.counts.get(key);
    if (c !== undefined) {
      this.counts.set(key, c + 1);
    } else {
      this.counts.set(key, 1);
      this.afterGrowth();
    }
    if (this.hll) this.hll.add(key);
  }

  merge(other: RefValueCounter): void {
    for (const [k, c] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + c);
    if (other.hll) {
      this.goApproximate();
      this.hll!.merge(other.hll);
    } else if (this.hll) {
      for (const k of other.counts.keys()) this.hll.add(k);
    }
    this.afterGrowth();
  }

  distinct(): number {
    return this.hll ? Math.max(Math.round(this.hll.estimate()), this.counts.size) : this.counts.size;
  }

  entries(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  clone(): RefValueCounter {
    return RefValueCounter.fromJSON(this.toJSON(), this.maxExact, this.hllPrecision);
  }

  toJSON(): RefValueCounterState {
    const entries = [...this.counts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return { entries, hll: this.hll ? this.hll.toJSON() : null };
  }

  static fromJSON(state: RefValueCounterState, maxExact: number, hllPrecision: number): RefValueCounter {
    const c = new RefValueCounter(maxExact, hllPrecision);
    for (const [k, n] of state.entries) c.counts.set(k, n);
    c.hll = state.hll ? RefHyperLogLog.fromJSON(state.hll) : null;
    return c;
  }

  private afterGrowth(): void {
    if (!this.hll && this.counts.size > this.maxExact) this.goApproximate();
    if (this.hll && this.counts.size > 2 * this.maxExact) this.reduce();
  }

  private goApproximate(): void {
    if (this.hll) return;
    this.hll = new RefHyperLogLog(this.hllPrecision);
    for (const k of this.counts.keys()) this.hll.add(k);
  }

  private reduce(): void {
    const sorted = Float64Array.from(this.counts.values()).sort(); // ascending
    const cut = sorted[sorted.length - 1 - this.maxExact] as number; // the (maxExact + 1)-th largest count
    const next = new Map<string, number>();
    for (const [k, c] of this.counts) if (c > cut) next.set(k, c - cut);
    this.counts = next;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------------------------

/** Seeded PRNG (mulberry32) in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** A counter under test next to its reference twin. */
interface Pair {
  ref: RefValueCounter;
  neu: ValueCounter;
}

function pair(maxExact: number, precision: number): Pair {
  return { ref: new RefValueCounter(maxExact, precision), neu: new ValueCounter(maxExact, precision) };
}

/** Every observable of the two counters is equal (entries() even in the same order). */
function assertSame(p: Pair, label: string): void {
  assert.equal(JSON.stringify(p.neu.toJSON()), JSON.stringify(p.ref.toJSON()), `${label}: toJSON`);
  assert.equal(p.neu.distinct(), p.ref.distinct(), `${label}: distinct`);
  assert.equal(p.neu.exact, p.ref.exact, `${label}: exact`);
  assert.deepEqual([...p.neu.entries()], [...p.ref.entries()], `${label}: entries`);
}

type KeyGen = (r: () => number) => string;

/** A random binary string of 0..maxLen chars 0x00-0xff. */
function binaryKey(r: () => number, maxLen: number): string {
  const n = Math.floor(r() * (maxLen + 1));
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

/** Skewed draws from a pool of `size` binary keys. */
function poolGen(r: () => number, size: number): KeyGen {
  const pool = Array.from({ length: size }, (_, i) => binaryKey(r, 4) + String.fromCharCode(i & 0xff, i >> 8));
  return (rr) => pool[Math.floor(size * rr() * rr())];
}

const generators: Record<string, (r: () => number, maxExact: number) => KeyGen> = {
  low: (r) => poolGen(r, 2 + Math.floor(r() * 20)),
  aroundBound: (r, m) => poolGen(r, Math.max(1, Math.floor(m * (0.5 + 3 * r())))),
  high: () => (rr) => binaryKey(rr, 5),
  heavyAndRare: (r) => {
    const heavy = poolGen(r, 5);
    return (rr) => (rr() < 0.4 ? heavy(rr) : binaryKey(rr, 6));
  },
  tinyAlphabet: () => (rr) => "ab".slice(0, Math.floor(rr() * 3)) + "xy".charAt(Math.floor(rr() * 3)),
  // Not binary (chars past 0xff, as the transform analyzer may pass): the hash masks each char to a byte, so
  // "A", "\u0141", "\u0241" ... collide and only the exact key comparison tells them apart.
  collisions: () => (rr) => String.fromCharCode((Math.floor(rr() * 6) << 8) | (65 + Math.floor(rr() * 4))),
};

/** Feed `n` keys to both counters, checking every `every` adds and at the end. */
function feed(p: Pair, gen: KeyGen, r: () => number, n: number, every: number, label: string): void {
  for (let i = 0; i < n; i++) {
    const k = gen(r);
    p.ref.add(k);
    p.neu.add(k);
    if (i % every === 0) assertSame(p, `${label} add #${i}`);
  }
  assertSame(p, `${label} after ${n} adds`);
}

function roundTrip(p: Pair): Pair {
  const json = JSON.stringify(p.ref.toJSON());
  assert.equal(JSON.stringify(p.neu.toJSON()), json);
  return {
    ref: RefValueCounter.fromJSON(JSON.parse(json) as RefValueCounterState, p.ref.maxExact, p.ref.hllPrecision),
    neu: ValueCounter.fromJSON(JSON.parse(json) as ValueCounterState, p.neu.maxExact, p.neu.hllPrecision),
  };
}

// ---------------------------------------------------------------------------------------------------------------

// The tables index by Map up to `mapIndexLimit` entries, then by their typed index: run everything with the
// default (small tests stay on the Map), with the typed index from the start, and with a switch after 7 entries.
for (const mapIndexLimit of [tuning.mapIndexLimit, 0, 7]) describe(`ValueCounter matches the reference implementation exactly (mapIndexLimit ${mapIndexLimit})`, () => {
  const saved = tuning.mapIndexLimit;
  before(() => {
    tuning.mapIndexLimit = mapIndexLimit;
  });
  after(() => {
    tuning.mapIndexLimit = saved;
  });

  it("on seeded add sequences (low/high cardinality, binary and colliding keys, many reduces)", () => {
    let approximate = 0;
    for (const [name, make] of Object.entries(generators)) {
      for (let seed = 1; seed <= 12; seed++) {
        const r = rng(seed * 7919 + name.length);
        const maxExact = 1 + Math.floor(r() * 50);
        const precision = 4 + Math.floor(r() * 8);
        const p = pair(maxExact, precision);
        feed(p, make(r, maxExact), r, 300 + Math.floor(r() * 1500), 11, `${name} seed ${seed} maxExact ${maxExact}`);
        if (!p.ref.exact) approximate++;
      }
    }
    assert.ok(approximate > 30, `approximate mode reached in ${approximate} sequences`);
  });

  it("on a larger high-cardinality stream (past the default Map index limit)", () => {
    const r = rng(42);
    const p = pair(2500, 14);
    feed(p, (rr) => binaryKey(rr, 3) + "QJ", r, 24_000, 2999, "maxExact 2500");
    assert.equal(p.ref.exact, false);
  });

  it("with maxExact 0 and 1 (reduce after nearly every new value)", () => {
    for (const maxExact of [0, 1]) {
      const r = rng(100 + maxExact);
      const p = pair(maxExact, 6);
      feed(p, generators.heavyAndRare(r, maxExact), r, 500, 1, `maxExact ${maxExact}`);
    }
  });

  it("on merges in every exact/approximate combination, then further adds", () => {
    const combos = new Set<string>();
    for (let seed = 1; seed <= 50; seed++) {
      const r = rng(seed * 31);
      const maxExact = 1 + Math.floor(r() * 40);
      const precision = 4 + Math.floor(r() * 6);
      const names = Object.keys(generators);
      const a = pair(maxExact, precision);
      const b = pair(maxExact, precision);
      // Lengths from tiny (stays exact) to long (approximate).
      const lenA = Math.floor(r() * r() * maxExact * 6);
      const lenB = Math.floor(r() * r() * maxExact * 6);
      feed(a, generators[names[seed % names.length]](r, maxExact), r, lenA, 50, `merge ${seed} a`);
      feed(b, generators[names[(seed >> 1) % names.length]](r, maxExact), r, lenB, 50, `merge ${seed} b`);
      const bBefore = JSON.stringify(b.ref.toJSON());
      combos.add(`${a.ref.exact}/${b.ref.exact}->${(() => {
        a.ref.merge(b.ref);
        a.neu.merge(b.neu);
        return a.ref.exact;
      })()}`);
      assertSame(a, `merge ${seed} result`);
      assertSame(b, `merge ${seed} other untouched`);
      assert.equal(JSON.stringify(b.ref.toJSON()), bBefore);
      feed(a, generators.heavyAndRare(r, maxExact), r, 200, 5, `merge ${seed} then add`);
      // Merging the other way round and a counter into itself.
      b.ref.merge(a.ref);
      b.neu.merge(a.neu);
      assertSame(b, `merge ${seed} reverse`);
      b.ref.merge(b.ref);
      b.neu.merge(b.neu);
      assertSame(b, `merge ${seed} self`);
    }
    for (const c of ["true/true->true", "true/true->false", "true/false->false", "false/true->false", "false/false->false"]) {
      assert.ok(combos.has(c), `combination ${c} covered (got ${[...combos].join(", ")})`);
    }
  });

  it("keeps state through fromJSON round trips and clone, then further adds and merges", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed * 131);
      const maxExact = 1 + Math.floor(r() * 30);
      let p = pair(maxExact, 4 + Math.floor(r() * 6));
      const gen = generators.heavyAndRare(r, maxExact);
      feed(p, gen, r, Math.floor(r() * 400), 13, `json ${seed}`);
      p = roundTrip(p);
      assertSame(p, `json ${seed} round trip`);
      feed(p, gen, r, 200, 3, `json ${seed} after fromJSON`);
      const c: Pair = { ref: p.ref.clone(), neu: p.neu.clone() };
      assertSame(c, `json ${seed} clone`);
      feed(c, gen, r, 100, 3, `json ${seed} clone then add`);
      assertSame(p, `json ${seed} original untouched by clone`);
      p.ref.merge(c.ref);
      p.neu.merge(c.neu);
      assertSame(p, `json ${seed} merged with clone`);
    }
  });

  it("from hand-made states: unsorted, duplicate keys, oversized exact, registers not matching the keys", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const r = rng(seed * 977);
      const maxExact = 1 + Math.floor(r() * 10);
      const precision = 4 + Math.floor(r() * 3);
      const keys = poolGen(r, 3 * maxExact + 2);
      const entries: [string, number][] = Array.from({ length: Math.floor(r() * 4 * maxExact) }, () => [keys(r), 1 + Math.floor(r() * 9)]);
      const registers = Buffer.from(Array.from({ length: 1 << precision }, () => Math.floor(r() * r() * 8))).toString("base64");
      const state = { entries, hll: r() < 0.5 ? null : { precision, registers } };
      const p: Pair = {
        ref: RefValueCounter.fromJSON(state, maxExact, precision),
        neu: ValueCounter.fromJSON(state, maxExact, precision),
      };
      assertSame(p, `state ${seed}`);
      feed(p, keys, r, 100, 1, `state ${seed} then add`);
      const q: Pair = {
        ref: RefValueCounter.fromJSON(state, maxExact, precision),
        neu: ValueCounter.fromJSON(state, maxExact, precision),
      };
      q.ref.merge(p.ref);
      q.neu.merge(p.neu);
      assertSame(q, `state ${seed} merged`);
      // Its registers need not hold its keys: a clone of it, or a counter it is merged into, must still add
      // them to the sketch when they are counted again.
      const fresh = (): Pair => ({
        ref: RefValueCounter.fromJSON(state, maxExact, precision),
        neu: ValueCounter.fromJSON(state, maxExact, precision),
      });
      const f = fresh();
      const c: Pair = { ref: f.ref.clone(), neu: f.neu.clone() };
      feed(c, keys, r, 60, 1, `state ${seed} clone then add`);
      const m = pair(maxExact, precision);
      feed(m, keys, r, 40, 5, `state ${seed} other counter`);
      const g = fresh();
      m.ref.merge(g.ref);
      m.neu.merge(g.neu);
      assertSame(m, `state ${seed} merged into other`);
      feed(m, (rr) => entries[Math.floor(rr() * entries.length)]?.[0] ?? keys(rr), r, 60, 1, `state ${seed} merged then add`);
    }
  });

  it("fails a merge of different HLL precisions the same way", () => {
    const a = pair(2, 6);
    const b = pair(2, 8);
    for (const k of ["a", "b", "c", "d"]) {
      b.ref.add(k);
      b.neu.add(k);
    }
    a.ref.add("x");
    a.neu.add("x");
    const isData = (e: unknown) => e instanceof KoanError && e.code === "DATA_INVALID";
    assert.throws(() => a.ref.merge(b.ref), isData);
    assert.throws(() => a.neu.merge(b.neu), isData);
    assertSame(a, "after failed merge");
  });
});

/**
 * Run `ops` finds/inserts of `keyOf(op)` on a table made with `mapIndexLimit`, against a `Map` model: every
 * `dropEvery` ops `retainAbove(1)`, and the entries compared every `checkEvery` ops and after each drop.
 */
function exerciseCountTable(options: { mapIndexLimit: number; hasher: KeyHasher; ops: number; dropEvery: number; checkEvery: number; keyOf: (op: number) => string }): number {
  tuning.mapIndexLimit = options.mapIndexLimit;
  const table = new CountTable(options.hasher);
  tuning.mapIndexLimit = 4096;
  let model = new Map<string, number>();
  for (let op = 0; op < options.ops; op++) {
    const key = options.keyOf(op);
    const e = table.find(key);
    assert.equal(e >= 0, model.has(key), `find ${JSON.stringify(key).slice(0, 40)}`);
    if (e >= 0) {
      assert.equal(table.keyAt(e), key);
      table.addCount(e, 1);
      model.set(key, model.get(key)! + 1);
    } else {
      table.insert(key, 1);
      model.set(key, 1);
    }
    const dropped = op % options.dropEvery === options.dropEvery - 1;
    if (dropped) {
      table.retainAbove(1);
      model = new Map([...model].filter(([, c]) => c > 1).map(([k, c]) => [k, c - 1]));
    }
    if (op % options.checkEvery === 0 || dropped) {
      const got = Array.from({ length: table.size }, (_, i) => [table.keyAt(i), table.countAt(i)]);
      assert.deepEqual(got, [...model], `entries after op ${op} (mapIndexLimit ${options.mapIndexLimit})`);
    }
  }
  return model.size;
}

describe("CountTable", () => {
  it("keeps exact keys, counts and Map order even when every hash collides", () => {
    for (const mapIndexLimit of [0, 3, 4096]) {
      const r = rng(mapIndexLimit + 1);
      exerciseCountTable({ mapIndexLimit, hasher: (_key, out) => out.set([0x1234_5678, 7]), ops: 3000, dropEvery: 400, checkEvery: 97, keyOf: () => binaryKey(r, 2) });
    }
  });

  it("gives back every key exactly from the typed index: code units past 0xff, lone surrogates, empty and long keys", () => {
    const r = rng(77);
    const odd = ["", "é", "日本", "\ud800", "\udfff\ud800", "🙂", "a".repeat(5000), "b".repeat(4096) + "\u0100", "x"];
    const keyOf = (op: number): string =>
      op % 13 === 0 ? (odd[Math.floor(r() * odd.length)] as string) : binaryKey(r, 3) + (op % 7 === 0 ? String.fromCharCode(0x100 + (op % 500)) : "");
    for (const mapIndexLimit of [0, 3]) {
      const kept = exerciseCountTable({ mapIndexLimit, hasher: (key, out) => murmur3BinaryPair(key, 1, 2, out), ops: 4000, dropEvery: 500, checkEvery: 250, keyOf });
      assert.ok(kept > 3, "entries survive the drops");
    }
  });
});

describe("murmur3BinaryPair", () => {
  it("equals two MurmurHash3 passes, for every length mod 4 and chars past 0xff", () => {
    const r = rng(9);
    const out = new Int32Array(2);
    for (let t = 0; t < 2000; t++) {
      let key = binaryKey(r, 13);
      if (t % 5 === 0) key += String.fromCharCode(0x100 + Math.floor(r() * 0xfe00));
      const a = Math.floor(r() * 2 ** 32);
      const b = t % 3 === 0 ? a : Math.floor(r() * 2 ** 32);
      murmur3BinaryPair(key, a, b, out);
      assert.equal(out[0], refMurmur3Binary(key, a) | 0, `seed a, ${JSON.stringify(key)}`);
      assert.equal(out[1], refMurmur3Binary(key, b) | 0, `seed b, ${JSON.stringify(key)}`);
    }
  });
});

describe("selectKth", () => {
  it("returns the k-th smallest, as an ascending sort would, also with many duplicates", () => {
    const r = rng(5);
    for (let t = 0; t < 300; t++) {
      const n = 1 + Math.floor(r() * 300);
      const spread = [1, 2, 3, 10, 1000][t % 5];
      const values = Float64Array.from({ length: n }, () => 1 + Math.floor(r() * r() * spread));
      if (t % 7 === 0) values.sort(); // sorted input
      if (t % 11 === 0) values.reverse();
      const sorted = Float64Array.from(values).sort();
      for (const k of [0, n - 1, Math.floor(r() * n)]) {
        assert.equal(selectKth(Float64Array.from(values), k), sorted[k], `n ${n} k ${k}`);
      }
    }
  });
});
