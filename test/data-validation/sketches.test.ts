import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import { murmur3Binary } from "../../src/data/stats/hash.js";
import { HyperLogLog, KllSketch } from "../../src/data/stats/index.js";
import { ValueCounter } from "../../src/data/stats/value-counter.js";

/** A fixed pseudo-random permutation-ish sequence (LCG), so tests are deterministic. */
function lcg(n: number, seed = 12345): number[] {
  const out: number[] = [];
  let s = seed;
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(s / 2 ** 32);
  }
  return out;
}

function trueRank(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

describe("KLL sketch", () => {
  it("is exact while it holds at most k values", () => {
    const s = new KllSketch(64);
    for (let v = 64; v >= 1; v--) s.add(v);
    assert.ok(s.exact);
    assert.equal(s.quantile(1, 2), 32);
    assert.equal(s.quantile(0, 1), 1);
    assert.equal(s.quantile(1, 1), 64);
    assert.equal(s.quantile(1, 10), 7); // rank ceil(6.4) = 7
    assert.equal(s.rank(10), 9);
    assert.equal(s.rank(10, true), 10);
  });

  it("keeps rank error small beyond k (100000 values, k = 200)", () => {
    const values = lcg(100_000);
    const s = new KllSketch(200);
    for (const v of values) s.add(v);
    assert.equal(s.count, 100_000);
    assert.ok(!s.exact);
    const sorted = [...values].sort((a, b) => a - b);
    for (let q = 1; q < 20; q++) {
      const est = s.quantile(q, 20);
      const err = Math.abs(trueRank(sorted, est) / values.length - q / 20);
      assert.ok(err < 0.02, `q=${q / 20} rank error ${err}`);
    }
    assert.ok(s.toJSON().levels.flat().length < 3 * 200 + 100, "bounded memory");
  });

  it("is deterministic: the same input gives the same state", () => {
    const a = new KllSketch(50);
    const b = new KllSketch(50);
    for (const v of lcg(5000)) {
      a.add(v);
      b.add(v);
    }
    assert.deepEqual(a.toJSON(), b.toJSON());
  });

  it("merges shards with small rank error and round-trips through JSON", () => {
    const values = lcg(30_000, 7);
    const parts = [new KllSketch(200), new KllSketch(200), new KllSketch(200)];
    values.forEach((v, k) => parts[k % 3].add(v));
    const merged = KllSketch.fromJSON(JSON.parse(JSON.stringify(parts[0])));
    merged.merge(parts[1]);
    merged.merge(parts[2]);
    assert.equal(merged.count, 30_000);
    const sorted = [...values].sort((a, b) => a - b);
    const med = merged.quantile(1, 2);
    assert.ok(Math.abs(trueRank(sorted, med) / 30_000 - 0.5) < 0.02);
  });

  it("rejects inconsistent state and different sizes", () => {
    assert.throws(() => KllSketch.fromJSON({ k: 8, n: 3, levels: [[1, 2]], parity: [0] }), (e: unknown) => e instanceof KoanError && e.code === "FORMAT_INVALID");
    assert.throws(() => new KllSketch(8).merge(new KllSketch(16)), (e: unknown) => e instanceof KoanError && e.code === "DATA_INVALID");
  });
});

describe("HyperLogLog and value counter", () => {
  it("hashes with MurmurHash3 x86_32 (reference vectors)", () => {
    assert.equal(murmur3Binary("", 0), 0);
    assert.equal(murmur3Binary("", 1), 0x514e28b7);
    assert.equal(murmur3Binary("hello", 0), 0x248bfa47);
    assert.equal(murmur3Binary("The quick brown fox jumps over the lazy dog", 0), 0x2e4ff723);
  });

  it("estimates distinct counts within a few percent and merges as a union", () => {
    const a = new HyperLogLog(14);
    const b = new HyperLogLog(14);
    for (let k = 0; k < 60_000; k++) (k < 40_000 ? a : b).add(`key-${k % 50_000}`);
    const union = HyperLogLog.fromJSON(JSON.parse(JSON.stringify(a)));
    union.merge(b);
    assert.ok(Math.abs(a.estimate() - 40_000) / 40_000 < 0.03, `a ${a.estimate()}`);
    assert.ok(Math.abs(union.estimate() - 50_000) / 50_000 < 0.03, `union ${union.estimate()}`);
    const small = new HyperLogLog(14);
    for (let k = 0; k < 100; k++) small.add(String(k));
    assert.equal(Math.round(small.estimate()), 100); // linear counting is near exact when small
  });

  it("counts exactly up to the bound, then keeps heavy hitters (Misra-Gries) with bounded size", () => {
    const c = new ValueCounter(10, 12);
    for (let k = 0; k < 10; k++) c.add(`v${k}`);
    assert.ok(c.exact);
    assert.equal(c.distinct(), 10);
    for (let k = 0; k < 1000; k++) {
      c.add("heavy");
      c.add(`rare${k}`);
    }
    assert.ok(!c.exact);
    assert.ok([...c.entries()].length <= 20);
    const heavy = new Map(c.entries()).get("heavy")!;
    assert.ok(heavy <= 1000 && heavy >= 1000 - 2010 / 11, `heavy ${heavy}`);
    assert.ok(Math.abs(c.distinct() - 1011) / 1011 < 0.06, `distinct ${c.distinct()}`);
  });
});
