import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { describe, it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import { StatisticsAccumulator, computeStatistics, type FeatureStatistics, type Histogram } from "../../src/data/stats/index.js";

const enc = new TextEncoder();
const f = (...v: number[]): Feature => ({ kind: "float", values: Float32Array.from(v) });
const i64 = (...v: number[]): Feature => ({ kind: "int64", values: BigInt64Array.from(v.map((x) => BigInt(x))) });
const b = (...v: string[]): Feature => ({ kind: "bytes", values: v.map((s) => enc.encode(s)) });
const ex = (o: Record<string, Feature>): Example => new Map(Object.entries(o));

/** Five examples: x float, s bytes, i int64 — with absent and present-but-empty features. */
function sample(): Example[] {
  return [
    ex({ x: f(1, 2), s: b("a", "bb"), i: i64(5, -3) }),
    ex({ x: f(3), s: b("a"), i: i64(0) }),
    ex({ x: f(), i: i64(10) }),
    ex({ s: b("ccc", "a", "bb") }),
    ex({ x: f(0, 4, 0), s: b() }),
  ];
}

function stats(examples: Example[], options = {}): Map<string, FeatureStatistics> {
  const acc = new StatisticsAccumulator(options);
  for (const e of examples) acc.add(e);
  const out = acc.finish({ name: "t" });
  assert.equal(out.name, "t");
  return new Map(out.features.map((x) => [x.name, x]));
}

const bucketsOf = (h: Histogram | undefined): [number, number, number][] => (h?.buckets ?? []).map((x) => [x.lowValue, x.highValue, x.sampleCount]);

describe("statistics: common statistics", () => {
  it("counts presence, missing and valency (present-but-empty counts as present with 0 values, as TFDV)", () => {
    const x = stats(sample()).get("x")!.numStats!.commonStats;
    assert.equal(x.numNonMissing, 4);
    assert.equal(x.numMissing, 1);
    assert.equal(x.minNumValues, 0);
    assert.equal(x.maxNumValues, 3);
    assert.equal(x.totNumValues, 6);
    assert.equal(x.avgNumValues, 1.5);
  });

  it("builds the quantiles histogram of the number of values per example", () => {
    const x = stats(sample()).get("x")!.numStats!.commonStats;
    // values per present example: 2, 1, 0, 3 -> sorted 0 1 2 3; bounds at ranks ceil(4i/10)
    const bounds = [0, 0, 0, 1, 1, 1, 2, 2, 3, 3, 3];
    assert.equal(x.numValuesHistogram!.type, "QUANTILES");
    assert.deepEqual(bucketsOf(x.numValuesHistogram), bounds.slice(0, 10).map((lo, k) => [lo, bounds[k + 1], 0.4]));
  });

  it("treats empty lists as missing with emptyListIsMissing", () => {
    const x = stats(sample(), { emptyListIsMissing: true }).get("x")!.numStats!.commonStats;
    assert.equal(x.numNonMissing, 3);
    assert.equal(x.numMissing, 2);
    assert.equal(x.minNumValues, 1);
  });

  it("counts examples and sorts features by name", async () => {
    const out = await computeStatistics(sample(), { name: "n" });
    assert.equal(out.numExamples, 5);
    assert.deepEqual(out.features.map((x) => x.name), ["i", "s", "x"]);
    assert.deepEqual(out.features.map((x) => x.type), ["INT", "STRING", "FLOAT"]);
  });

  it("accepts async iterables", async () => {
    async function* gen(): AsyncGenerator<Example> {
      yield* sample();
    }
    assert.deepEqual(await computeStatistics(gen()), await computeStatistics(sample()));
  });
});

describe("statistics: numeric features", () => {
  it("computes mean, population std dev, zeros, min, median, max of a float feature", () => {
    const n = stats(sample()).get("x")!.numStats!;
    // values 1 2 3 0 4 0
    assert.ok(Math.abs(n.mean - 10 / 6) < 1e-15);
    assert.ok(Math.abs(n.stdDev - Math.sqrt(20 / 9)) < 1e-15);
    assert.equal(n.numZeros, 2);
    assert.equal(n.min, 0);
    assert.equal(n.max, 4);
    assert.equal(n.median, 1); // lower median: rank ceil(6/2) = 3 of 0 0 1 2 3 4
  });

  it("builds a 10-bucket quantiles histogram with n/10 per bucket", () => {
    const q = stats(sample()).get("x")!.numStats!.histograms.find((h) => h.type === "QUANTILES");
    const bounds = [0, 0, 0, 0, 1, 1, 2, 3, 3, 4, 4];
    assert.deepEqual(bucketsOf(q), bounds.slice(0, 10).map((lo, k) => [lo, bounds[k + 1], 0.6]));
    assert.equal(q!.numNan, 0);
  });

  it("builds a 10-bucket equal-width standard histogram (last bucket closed)", () => {
    const h = stats(sample()).get("x")!.numStats!.histograms.find((x) => x.type === "STANDARD");
    const counts = [2, 0, 1, 0, 0, 1, 0, 1, 0, 1];
    assert.deepEqual(bucketsOf(h), counts.map((c, j) => [j * 0.4, j === 9 ? 4 : (j + 1) * 0.4, c]));
  });

  it("computes the statistics of an int64 feature", () => {
    const n = stats(sample()).get("i")!.numStats!;
    // values 5 -3 0 10
    assert.equal(n.mean, 3);
    assert.equal(n.stdDev, Math.sqrt(24.5));
    assert.equal(n.numZeros, 1);
    assert.equal(n.min, -3);
    assert.equal(n.max, 10);
    assert.equal(n.median, 0);
    assert.equal(n.commonStats.numNonMissing, 3);
    assert.equal(n.commonStats.numMissing, 2);
  });

  it("keeps NaN out of every figure but numNan, and puts infinities in extra buckets", () => {
    const n = stats([ex({ v: f(Number.NaN, 1, 2, Number.POSITIVE_INFINITY) })]).get("v")!.numStats!;
    assert.equal(n.mean, Number.POSITIVE_INFINITY);
    assert.ok(Number.isNaN(n.stdDev));
    assert.equal(n.min, 1);
    assert.equal(n.max, Number.POSITIVE_INFINITY);
    assert.equal(n.median, 2); // 1 2 inf: rank ceil(3/2) = 2
    const std = n.histograms.find((h) => h.type === "STANDARD")!;
    assert.equal(std.numNan, 1);
    assert.deepEqual(std.buckets.at(-1), { lowValue: Number.POSITIVE_INFINITY, highValue: Number.POSITIVE_INFINITY, sampleCount: 1 });
    assert.equal(std.buckets.slice(0, -1).reduce((s, x) => s + x.sampleCount, 0), 2);
  });

  it("gives a constant feature a single standard bucket", () => {
    const n = stats([ex({ v: f(7) }), ex({ v: f(7) })]).get("v")!.numStats!;
    assert.deepEqual(bucketsOf(n.histograms[0]), [[7, 7, 2]]);
    assert.equal(n.stdDev, 0);
  });

  it("leaves histograms out and numbers at 0 for a feature that is always empty", () => {
    const n = stats([ex({ v: f() })]).get("v")!.numStats!;
    assert.deepEqual(n.histograms, []);
    assert.equal(n.mean, 0);
    assert.equal(n.commonStats.numNonMissing, 1);
    assert.equal(n.commonStats.totNumValues, 0);
  });
});

describe("statistics: string features", () => {
  it("counts unique values, top values with frequencies, rank histogram and average length", () => {
    const s = stats(sample()).get("s")!.stringStats!;
    // a a a bb bb ccc
    assert.equal(s.unique, 3);
    assert.deepEqual(s.topValues, [
      { value: "a", frequency: 3 },
      { value: "bb", frequency: 2 },
      { value: "ccc", frequency: 1 },
    ]);
    assert.deepEqual(s.rankHistogram!.buckets, [
      { lowRank: 0, highRank: 0, label: "a", sampleCount: 3 },
      { lowRank: 1, highRank: 1, label: "bb", sampleCount: 2 },
      { lowRank: 2, highRank: 2, label: "ccc", sampleCount: 1 },
    ]);
    assert.equal(s.avgLength, 10 / 6);
    assert.equal(s.invalidUtf8Count, 0);
    assert.equal(s.commonStats.numNonMissing, 4);
    assert.equal(s.commonStats.minNumValues, 0);
    assert.equal(s.commonStats.totNumValues, 6);
  });

  it("breaks frequency ties by value, descending (as TFDV), and truncates to numTopValues", () => {
    const s = stats([ex({ t: b("x", "y", "z", "y") })], { numTopValues: 2, numRankHistogramBuckets: 3 }).get("t")!.stringStats!;
    assert.deepEqual(s.topValues.map((v) => v.value), ["y", "z"]);
    assert.deepEqual(s.rankHistogram!.buckets.map((v) => v.label), ["y", "z", "x"]);
  });

  it("measures length in bytes and labels invalid UTF-8 as __BYTES_VALUE__", () => {
    const bad: Feature = { kind: "bytes", values: [new Uint8Array([0xff, 0xfe]), enc.encode("é")] };
    const s = stats([ex({ t: bad })]).get("t")!.stringStats!;
    assert.equal(s.avgLength, 2); // 2 bytes each
    assert.equal(s.invalidUtf8Count, 1);
    assert.deepEqual(s.topValues.map((v) => v.value).sort(), ["__BYTES_VALUE__", "é"]);
  });

  it("estimates unique counts with HyperLogLog beyond maxExactDistinct, keeping heavy hitters", () => {
    const examples: Example[] = [];
    for (let k = 0; k < 5000; k++) examples.push(ex({ t: b(`v${k}`, "hot") }));
    const s = stats(examples, { maxExactDistinct: 100 }).get("t")!.stringStats!;
    assert.ok(Math.abs(s.unique - 5001) / 5001 < 0.03, `unique estimate ${s.unique}`);
    assert.equal(s.topValues[0].value, "hot");
    assert.ok(s.topValues[0].frequency <= 5000 && s.topValues[0].frequency >= 5000 - 10000 / 101);
  });
});

describe("statistics: kinds and determinism", () => {
  it("rejects a feature whose non-empty values change kind", () => {
    const acc = new StatisticsAccumulator().add(ex({ v: f(1) }));
    assert.throws(() => acc.add(ex({ v: i64(1) })), (e: unknown) => e instanceof KoanError && e.code === "DATA_INVALID");
  });

  it("does not let empty lists fix a kind (TFX writes kind-less missing values)", () => {
    const out = stats([ex({ v: b() }), ex({ v: f(2) }), ex({ v: i64() })]).get("v")!;
    assert.equal(out.type, "FLOAT");
    assert.equal(out.numStats!.commonStats.numNonMissing, 3);
    assert.equal(out.numStats!.mean, 2);
  });

  it("does not depend on the key order of examples", () => {
    const reversed = sample().map((e) => new Map([...e].reverse()));
    const a = new StatisticsAccumulator().addAll(sample());
    const c = new StatisticsAccumulator().addAll(reversed);
    assert.deepEqual(c.finish(), a.finish());
    assert.deepEqual(c.toJSON(), a.toJSON());
  });

  it("validates options", () => {
    assert.throws(() => new StatisticsAccumulator({ numTopValues: -1 }), (e: unknown) => e instanceof KoanError && e.code === "DATA_INVALID");
    assert.throws(() => new StatisticsAccumulator({ quantileSketchK: 2 }), (e: unknown) => e instanceof KoanError && e.code === "DATA_INVALID");
  });
});

describe("statistics: module weight", () => {
  it("does not load protobufjs until binary statistics are used", async () => {
    await import("../../src/data/schema/index.js");
    await import("../../src/data/anomalies/index.js");
    const cache = createRequire(import.meta.url).cache;
    assert.equal(Object.keys(cache).some((k) => k.includes("protobufjs")), false);
  });
});
