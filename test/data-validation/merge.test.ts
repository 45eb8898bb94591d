import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import { StatisticsAccumulator, type DatasetStatistics, type FeatureStatistics } from "../../src/data/stats/index.js";

const enc = new TextEncoder();
const f = (...v: number[]): Feature => ({ kind: "float", values: Float32Array.from(v) });
const i64 = (...v: number[]): Feature => ({ kind: "int64", values: BigInt64Array.from(v.map((x) => BigInt(x))) });
const b = (...v: string[]): Feature => ({ kind: "bytes", values: v.map((s) => enc.encode(s)) });

/** n deterministic examples: a float with outliers, an int, a categorical string, a sometimes-absent feature. */
function dataset(n: number): Example[] {
  const out: Example[] = [];
  let s = 42;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32);
  for (let k = 0; k < n; k++) {
    const m = new Map<string, Feature>();
    m.set("price", f(Math.round(next() * 10000) / 100));
    m.set("count", i64(Math.floor(next() * 50), Math.floor(next() * 5)));
    m.set("color", b(["red", "green", "blue", "cyan", "magenta"][Math.floor(next() ** 2 * 5)]));
    if (k % 3 !== 0) m.set("maybe", next() < 0.2 ? f() : f(next()));
    out.push(m);
  }
  return out;
}

function single(examples: Example[], k?: number): DatasetStatistics {
  return new StatisticsAccumulator(k ? { quantileSketchK: k } : {}).addAll(examples).finish();
}

function sharded(examples: Example[], shards: number, k?: number): DatasetStatistics {
  const accs = Array.from({ length: shards }, () => new StatisticsAccumulator(k ? { quantileSketchK: k } : {}));
  examples.forEach((e, idx) => accs[Math.floor((idx * shards) / examples.length)].add(e));
  const [first, ...rest] = accs;
  for (const a of rest) first.merge(a);
  return first.finish();
}

/** Statistics with the floating-point moments and sketch-dependent figures removed. */
function exactPart(f: FeatureStatistics): unknown {
  const n = f.numStats;
  if (n) return { ...n, mean: undefined, stdDev: undefined, median: undefined, histograms: undefined, commonStats: { ...n.commonStats, numValuesHistogram: undefined } };
  const s = f.stringStats!;
  return { ...s, commonStats: { ...s.commonStats, numValuesHistogram: undefined } };
}

describe("merge", () => {
  it("equals a single pass exactly when sketches are exact (small data)", () => {
    const data = dataset(300);
    const a = single(data);
    const m = sharded(data, 4);
    assert.equal(m.numExamples, a.numExamples);
    a.features.forEach((fa, idx) => {
      const fm = m.features[idx];
      assert.deepEqual(exactPart(fm), exactPart(fa));
      assert.deepEqual(fm.numStats?.histograms, fa.numStats?.histograms);
      assert.equal(fm.numStats?.median, fa.numStats?.median);
      if (fa.numStats) {
        assert.ok(Math.abs(fm.numStats!.mean - fa.numStats.mean) <= 1e-12 * Math.abs(fa.numStats.mean));
        assert.ok(Math.abs(fm.numStats!.stdDev - fa.numStats.stdDev) <= 1e-12 * fa.numStats.stdDev);
      }
    });
  });

  it("keeps counts, min/max and top-k exact and quantiles close when sketches compact", () => {
    const data = dataset(20_000);
    const a = single(data, 64);
    const m = sharded(data, 7, 64);
    for (const fa of a.features) {
      const fm = m.features.find((x) => x.name === fa.name)!;
      assert.deepEqual(exactPart(fm), exactPart(fa), fa.name);
      if (fa.name === "price") {
        const sorted = data.map((e) => (e.get("price") as { values: Float32Array }).values[0]).sort((x, y) => x - y);
        const rank = (v: number): number => sorted.filter((x) => x <= v).length / sorted.length;
        assert.ok(Math.abs(rank(fm.numStats!.median) - 0.5) < 0.05, `merged median rank ${rank(fm.numStats!.median)}`);
        assert.ok(Math.abs(rank(fa.numStats!.median) - 0.5) < 0.05, `single median rank ${rank(fa.numStats!.median)}`);
        const q = fm.numStats!.histograms.find((h) => h.type === "QUANTILES")!;
        assert.equal(q.buckets[0].lowValue, fa.numStats!.min);
        assert.equal(q.buckets[9].highValue, fa.numStats!.max);
      }
    }
  });

  it("does not modify the merged-in accumulator and allows merging twice", () => {
    const data = dataset(100);
    const a = new StatisticsAccumulator().addAll(data.slice(0, 50));
    const c = new StatisticsAccumulator().addAll(data.slice(50));
    const before = JSON.stringify(c);
    a.merge(c);
    assert.equal(JSON.stringify(c), before);
    assert.equal(a.merge(c).numExamples, 150);
    const self = new StatisticsAccumulator().addAll(data.slice(0, 10));
    const doubled = new StatisticsAccumulator().addAll(data.slice(0, 10)).addAll(data.slice(0, 10)).finish();
    assert.deepEqual(exactPart(self.merge(self).finish().features[0]), exactPart(doubled.features[0]));
  });

  it("refuses accumulators with different options or conflicting kinds", () => {
    const isData = (e: unknown): boolean => e instanceof KoanError && e.code === "DATA_INVALID";
    assert.throws(() => new StatisticsAccumulator().merge(new StatisticsAccumulator({ numTopValues: 5 })), isData);
    const x = new StatisticsAccumulator().add(new Map([["v", f(1)]]));
    const y = new StatisticsAccumulator().add(new Map([["v", b("1")]]));
    assert.throws(() => x.merge(y), isData);
  });
});
