import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import { canonicalJson } from "../../src/core/hash.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import { StatisticsAccumulator } from "../../src/data/stats/index.js";

const enc = new TextEncoder();
const f = (...v: number[]): Feature => ({ kind: "float", values: Float32Array.from(v) });
const b = (...v: Uint8Array[]): Feature => ({ kind: "bytes", values: v });

function examples(n: number, offset = 0): Example[] {
  return Array.from({ length: n }, (_, k) => {
    const m = new Map<string, Feature>([["x", f((k + offset) % 17, Number.NaN, Number.POSITIVE_INFINITY)]]);
    m.set("s", b(enc.encode(`v${(k + offset) % 13}`), new Uint8Array([0xff, k % 7])));
    if (k % 4 === 0) m.set("e", f());
    return m;
  });
}

const isFormat = (e: unknown): boolean => e instanceof KoanError && e.code === "FORMAT_INVALID";

describe("accumulator state as JSON", () => {
  it("round-trips exactly through JSON text, including sketches past compaction and binary values", () => {
    const acc = new StatisticsAccumulator({ quantileSketchK: 16, maxExactDistinct: 8 }).addAll(examples(500));
    const text = JSON.stringify(acc);
    const back = StatisticsAccumulator.fromJSON(JSON.parse(text));
    assert.equal(JSON.stringify(back), text);
    assert.deepEqual(back.finish(), acc.finish());
  });

  it("is canonical-JSON safe (finite numbers only) and sorted by feature name", () => {
    const state = new StatisticsAccumulator().addAll(examples(50)).toJSON();
    assert.doesNotThrow(() => canonicalJson(state));
    assert.deepEqual(state.features.map((x) => x.name), ["e", "s", "x"]);
  });

  it("continues after a round trip as if never serialized", () => {
    const direct = new StatisticsAccumulator({ quantileSketchK: 16 }).addAll(examples(300)).addAll(examples(300, 5));
    const resumed = StatisticsAccumulator.fromJSON(JSON.parse(JSON.stringify(new StatisticsAccumulator({ quantileSketchK: 16 }).addAll(examples(300)))));
    resumed.addAll(examples(300, 5));
    assert.deepEqual(resumed.toJSON(), direct.toJSON());
  });

  it("merges states shipped from different workers", () => {
    const w1 = JSON.stringify(new StatisticsAccumulator().addAll(examples(40)));
    const w2 = JSON.stringify(new StatisticsAccumulator().addAll(examples(40, 40)));
    const merged = StatisticsAccumulator.fromJSON(JSON.parse(w1)).merge(StatisticsAccumulator.fromJSON(JSON.parse(w2))).finish();
    assert.equal(merged.numExamples, 80);
    assert.equal(merged.features.find((x) => x.name === "x")!.numStats!.commonStats.totNumValues, 240);
  });

  it("rejects malformed state with FORMAT_INVALID", () => {
    const good = new StatisticsAccumulator().addAll(examples(5)).toJSON();
    assert.throws(() => StatisticsAccumulator.fromJSON(null), isFormat);
    assert.throws(() => StatisticsAccumulator.fromJSON({ ...good, version: 99 }), isFormat);
    assert.throws(() => StatisticsAccumulator.fromJSON({ ...good, numExamples: -1 }), isFormat);
    assert.throws(() => StatisticsAccumulator.fromJSON({ ...good, options: { ...good.options, quantileSketchK: 3 } }), isFormat);
    const broken = JSON.parse(JSON.stringify(good)) as { features: { numNonMissing: number }[] };
    broken.features[0].numNonMissing = 999;
    assert.throws(() => StatisticsAccumulator.fromJSON(broken), isFormat);
    const dup = { ...good, features: [good.features[0], good.features[0]] };
    assert.throws(() => StatisticsAccumulator.fromJSON(dup), isFormat);
  });
});

describe("addFeaturesOf", () => {
  const columns = (n: number): { x: Float64Array; keys: (string | null)[] } => ({
    x: Float64Array.from({ length: n }, (_, i) => (i * 37) % 11),
    keys: Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : `k${i % 7}`)),
  });

  it("joins accumulators that counted the same rows for different features into the one that counted all", () => {
    const { x, keys } = columns(500);
    const numeric = { name: "x", kind: "float" as const, values: x, valid: null };
    const text = { name: "s", kind: "bytes" as const, keys, utf8: true };
    const all = new StatisticsAccumulator().addColumns([numeric, text], 500, 1, 3);
    const strings = new StatisticsAccumulator().addColumns([text], 500, 1, 3);
    const numbers = new StatisticsAccumulator().addColumns([numeric], 500, 1, 3);
    assert.equal(canonicalJson(strings.addFeaturesOf(numbers).toJSON()), canonicalJson(all.toJSON()));
    assert.equal(numbers.toJSON().features.length, 1, "the other accumulator is left as it was");
  });

  it("refuses accumulators of different row counts, a feature counted twice, or different options", () => {
    const { x } = columns(10);
    const numeric = { name: "x", kind: "float" as const, values: x, valid: null };
    const a = new StatisticsAccumulator().addColumns([numeric], 10);
    assert.throws(() => new StatisticsAccumulator().addColumns([], 9).addFeaturesOf(a), (e) => e instanceof KoanError && /accumulators of 9 and 10 examples/.test(e.message));
    assert.throws(() => new StatisticsAccumulator().addColumns([numeric], 10).addFeaturesOf(a), /both accumulators count feature "x"/);
    assert.throws(() => new StatisticsAccumulator({ quantileSketchK: 64 }).addColumns([], 10).addFeaturesOf(a), /different options/);
  });
});
