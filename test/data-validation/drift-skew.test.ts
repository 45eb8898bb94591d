import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Example, Feature } from "../../src/data/example/types.js";
import {
  histogramJensenShannonDivergence,
  jensenShannonDivergenceOfCounts,
  lInfinityDistance,
  normalizedAbsoluteDifference,
  validateStatisticsDetailed,
} from "../../src/data/anomalies/index.js";
import type { Schema } from "../../src/data/schema/index.js";
import { StatisticsAccumulator, type DatasetStatistics, type Histogram } from "../../src/data/stats/index.js";

const m = (o: Record<string, number>): Map<string, number> => new Map(Object.entries(o));
const hist = (buckets: [number, number, number][], numNan = 0, type: "STANDARD" | "QUANTILES" = "STANDARD"): Histogram => ({
  type,
  numNan,
  numUndefined: 0,
  buckets: buckets.map(([lowValue, highValue, sampleCount]) => ({ lowValue, highValue, sampleCount })),
});
const close = (a: number | undefined, b: number): void => assert.ok(a !== undefined && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

describe("distances, checked against hand computations", () => {
  it("L-infinity over normalized counts, reporting the value with the largest difference", () => {
    // p = (x .5, y .5), q = (y .25, z .75): |diffs| = .5, .25, .75
    assert.deepEqual(lInfinityDistance(m({ x: 2, y: 2 }), m({ y: 1, z: 3 })), { value: 0.75, maxDifferenceValue: "z" });
    // .75/.25 vs .5/.5: both differences .25, the last value in byte order is reported (TFDV uses >=)
    assert.deepEqual(lInfinityDistance(m({ a: 3, b: 1 }), m({ a: 1, b: 1 })), { value: 0.25, maxDifferenceValue: "b" });
    assert.deepEqual(lInfinityDistance(m({ a: 5 }), m({ a: 1 })), { value: 0, maxDifferenceValue: "a" });
    assert.deepEqual(lInfinityDistance(m({}), m({})), { value: 0, maxDifferenceValue: "" });
  });

  it("normalized absolute difference over the combined total", () => {
    // total 8: |3-1|/8 = .25 for a, 4/8 = .5 for b
    assert.deepEqual(normalizedAbsoluteDifference(m({ a: 3 }), m({ a: 1, b: 4 })), { value: 0.5, maxDifferenceValue: "b" });
  });

  it("Jensen-Shannon divergence of categorical counts (base 2)", () => {
    close(jensenShannonDivergenceOfCounts(m({ x: 1 }), m({ y: 1 })), 1);
    close(jensenShannonDivergenceOfCounts(m({ x: 1 }), m({ x: 7 })), 0);
    // p = (.5, .5), q = (.75, .25), M = (.625, .375)
    const expected = (0.5 * Math.log2(0.5 / 0.625) + 0.5 * Math.log2(0.5 / 0.375) + 0.75 * Math.log2(0.75 / 0.625) + 0.25 * Math.log2(0.25 / 0.375)) / 2;
    close(expected, 0.0487949406953985);
    close(jensenShannonDivergenceOfCounts(m({ x: 1, y: 1 }), m({ x: 3, y: 1 })), expected);
    assert.equal(jensenShannonDivergenceOfCounts(m({}), m({ x: 1 })), undefined);
  });

  it("approximate JSD of histograms: re-bucketing on the union of boundaries, uniform within buckets", () => {
    // h2's [0,2] splits into [0,1]:2 and [1,2]:2; p = (1, 0), q = (.5, .5), M = (.75, .25)
    const expected = (Math.log2(1 / 0.75) + 0.5 * Math.log2(0.5 / 0.75) + 0.5 * Math.log2(0.5 / 0.25)) / 2;
    close(expected, 0.31127812445913283);
    close(histogramJensenShannonDivergence(hist([[0, 1, 4], [1, 2, 0]]), hist([[0, 2, 4]])), expected);
    close(histogramJensenShannonDivergence(hist([[0, 1, 4], [1, 2, 4]]), hist([[0, 1, 1], [1, 2, 1]])), 0);
  });

  it("approximate JSD of histograms: point masses, NaN buckets and type mismatch", () => {
    // point mass at 0 (2) + [0,2]:2 versus [0,2]:4 -> p = (.5, .5), q = (1, 0)
    close(histogramJensenShannonDivergence(hist([[0, 0, 2], [0, 2, 2]]), hist([[0, 2, 4]])), 0.31127812445913283);
    // NaNs become mismatched buckets, as in TFDV: p = (.5, 0, .5), q = (.5, .5, 0)
    close(histogramJensenShannonDivergence(hist([[0, 1, 1]], 1), hist([[0, 1, 1]], 1)), 0.5);
    assert.equal(histogramJensenShannonDivergence(hist([[0, 1, 1]]), hist([[0, 1, 1]], 0, "QUANTILES")), undefined);
    assert.equal(histogramJensenShannonDivergence(hist([]), hist([[0, 1, 1]])), undefined);
  });
});

const enc = new TextEncoder();
const b = (s: string): Feature => ({ kind: "bytes", values: [enc.encode(s)] });
const f = (x: number): Feature => ({ kind: "float", values: Float32Array.of(x) });

function statsOf(colors: Record<string, number>, values: number[]): DatasetStatistics {
  const acc = new StatisticsAccumulator();
  for (const [c, n] of Object.entries(colors)) for (let k = 0; k < n; k++) acc.add(new Map([["color", b(c)]]) as Example);
  for (const v of values) acc.add(new Map([["size", f(v)]]) as Example);
  return acc.finish();
}

const schema: Schema = {
  feature: [
    { name: "color", type: "BYTES", skewComparator: { infinityNorm: { threshold: 0.1 } }, driftComparator: { infinityNorm: { threshold: 0.3 }, normalizedAbsDifference: { threshold: 0.9 } } },
    { name: "size", type: "FLOAT", driftComparator: { jensenShannonDivergence: { threshold: 0.1 } }, skewComparator: { jensenShannonDivergence: { threshold: 0.1, source: { type: "QUANTILES" } } } },
  ],
  stringDomain: [],
};

describe("drift and skew comparators", () => {
  const current = statsOf({ red: 6, blue: 4 }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const other = statsOf({ red: 3, blue: 7 }, [5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);

  it("flags L-infinity above the skew threshold and reports every measurement", () => {
    const r = validateStatisticsDetailed(current, schema, { serving: other });
    assert.deepEqual(
      r.anomalies.map((a) => [a.feature, a.code, a.shortDescription, a.description]),
      [
        [
          "color",
          "COMPARATOR_L_INFTY_HIGH",
          "High Linfty distance between training and serving",
          "The Linfty distance between training and serving is 0.3 (up to six significant digits), above the threshold 0.1. The feature value with maximum difference is: red",
        ],
        ["size", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH", "High approximate Jensen-Shannon divergence between training and serving", r.anomalies[1]?.description],
      ],
    );
    assert.equal(r.driftSkew.length, 2);
    assert.deepEqual(r.driftSkew[0], { feature: "color", comparison: "skew", type: "L_INFTY", value: 0.3, threshold: 0.1 });
    assert.equal(r.driftSkew[1].type, "JENSEN_SHANNON_DIVERGENCE");
    assert.ok(r.driftSkew[1].value > 0.1);
  });

  it("uses drift thresholds against the previous span", () => {
    const r = validateStatisticsDetailed(current, schema, { previous: other });
    // L-inf .3 is not above .3; NAD = |6-3|/20 = .15 <= .9; size JSD on standard histograms is large
    assert.deepEqual(r.anomalies.map((a) => [a.feature, a.code]), [["size", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"]]);
    assert.deepEqual(r.driftSkew.map((x) => [x.feature, x.type, x.comparison]), [
      ["color", "L_INFTY", "drift"],
      ["color", "NORMALIZED_ABSOLUTE_DIFFERENCE", "drift"],
      ["size", "JENSEN_SHANNON_DIVERGENCE", "drift"],
    ]);
    close(r.driftSkew[1].value, 0.15);
  });

  it("reports nothing for identical data, and control data missing when the control lacks the feature", () => {
    assert.deepEqual(validateStatisticsDetailed(current, schema, { previous: current, serving: current }).anomalies, []);
    const noColor = statsOf({}, [1, 2]);
    const r = validateStatisticsDetailed(current, schema, { serving: noColor });
    assert.deepEqual(r.anomalies.map((a) => [a.feature, a.code, a.description]), [
      ["color", "COMPARATOR_CONTROL_DATA_MISSING", "serving data is missing."],
      ["size", "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH", r.anomalies[1]?.description],
    ]);
  });

  it("does not compare without control statistics", () => {
    assert.deepEqual(validateStatisticsDetailed(current, schema).driftSkew, []);
  });
});
