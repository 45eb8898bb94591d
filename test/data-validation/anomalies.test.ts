import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { validateStatistics, type Anomaly, type ValidationOptions } from "../../src/data/anomalies/index.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import type { Schema, SchemaFeature } from "../../src/data/schema/index.js";
import { StatisticsAccumulator, type DatasetStatistics } from "../../src/data/stats/index.js";

const enc = new TextEncoder();
const f = (...v: number[]): Feature => ({ kind: "float", values: Float32Array.from(v) });
const i64 = (...v: number[]): Feature => ({ kind: "int64", values: BigInt64Array.from(v.map((x) => BigInt(x))) });
const b = (...v: string[]): Feature => ({ kind: "bytes", values: v.map((s) => enc.encode(s)) });

function statsOf(rows: Record<string, Feature>[]): DatasetStatistics {
  return new StatisticsAccumulator().addAll(rows.map((r): Example => new Map(Object.entries(r)))).finish();
}

function check(rows: Record<string, Feature>[], features: SchemaFeature[], extra: Partial<Schema> = {}, options: ValidationOptions = {}): [string | null, string][] {
  const schema: Schema = { feature: features, stringDomain: [], ...extra };
  return validateStatistics(statsOf(rows), schema, options).map((a) => [a.feature, a.code]);
}

function anomaliesOf(rows: Record<string, Feature>[], features: SchemaFeature[], extra: Partial<Schema> = {}): Anomaly[] {
  return validateStatistics(statsOf(rows), { feature: features, stringDomain: [], ...extra });
}

const required = { presence: { minFraction: 1, minCount: 1 } } as const;

describe("anomalies: columns and types", () => {
  it("conforming data has no anomalies", () => {
    assert.deepEqual(check([{ a: i64(1) }, { a: i64(2) }], [{ name: "a", type: "INT", valueCount: { min: 1, max: 1 }, ...required }]), []);
  });

  it("SCHEMA_MISSING_COLUMN for a required feature absent from the data, unless optional or deprecated", () => {
    const a = anomaliesOf([{ x: i64(1) }], [{ name: "x", type: "INT" }, { name: "gone", type: "INT", ...required }]);
    assert.deepEqual(a, [{ feature: "gone", code: "SCHEMA_MISSING_COLUMN", severity: "ERROR", shortDescription: "Column dropped", description: "Column is completely missing" }]);
    assert.deepEqual(check([{ x: i64(1) }], [{ name: "x", type: "INT" }, { name: "opt", type: "INT", presence: { minCount: 0 } }]), []);
    assert.deepEqual(check([{ x: i64(1) }], [{ name: "x", type: "INT" }, { name: "old", type: "INT", lifecycleStage: "DEPRECATED", ...required }]), []);
  });

  it("SCHEMA_NEW_COLUMN for a feature not in the schema (sparse/weighted feature names excepted)", () => {
    assert.deepEqual(check([{ x: i64(1), extra: f(1) }], [{ name: "x", type: "INT" }]), [["extra", "SCHEMA_NEW_COLUMN"]]);
    assert.deepEqual(check([{ x: i64(1), sp: f(1) }], [{ name: "x", type: "INT" }], { sparseFeature: [{ name: "sp" }] }), []);
  });

  it("UNEXPECTED_DATA_TYPE when the type changes (and no further checks of that feature)", () => {
    const a = anomaliesOf([{ x: f(1.5) }], [{ name: "x", type: "INT", intDomain: { max: 0 } }]);
    assert.deepEqual(a.map((x) => [x.code, x.description]), [["UNEXPECTED_DATA_TYPE", "Expected data of type: INT but got FLOAT"]]);
    assert.deepEqual(check([{ s: b("v") }], [{ name: "s", type: "BYTES" }]), []);
  });

  it("FEATURE_TYPE_NOT_PRESENT when statistics list a required feature present in no example", () => {
    const stats: DatasetStatistics = {
      name: "",
      numExamples: 2,
      features: [{ name: "x", type: "INT", numStats: { commonStats: { numNonMissing: 0, numMissing: 2, minNumValues: 0, maxNumValues: 0, avgNumValues: 0, totNumValues: 0 }, mean: 0, stdDev: 0, numZeros: 0, min: 0, median: 0, max: 0, histograms: [] } }],
    };
    const a = validateStatistics(stats, { feature: [{ name: "x", type: "INT", ...required }], stringDomain: [] });
    assert.deepEqual(a.map((x) => x.code), ["FEATURE_TYPE_NOT_PRESENT"]);
  });

  it("SCHEMA_NEW_COLUMN (column missing in environment) for a feature excluded from the data's environment", () => {
    const schema: Partial<Schema> = { defaultEnvironment: ["TRAINING", "SERVING"] };
    const features: SchemaFeature[] = [{ name: "label", type: "INT", notInEnvironment: ["SERVING"], ...required }];
    assert.deepEqual(check([{ label: i64(1) }], features, schema, { environment: "SERVING" }), [["label", "SCHEMA_NEW_COLUMN"]]);
    assert.deepEqual(check([{ label: i64(1) }], features, schema, { environment: "TRAINING" }), []);
    assert.deepEqual(check([{ x: i64(1) }], [{ name: "x", type: "INT" }, ...features], schema, { environment: "SERVING" }), []);
  });
});

describe("anomalies: presence and valency", () => {
  const rows: Record<string, Feature>[] = [{ x: f(1) }, { x: f(1, 2, 3) }, { y: f(1) }, { x: f() }];

  it("FEATURE_TYPE_LOW_FRACTION_PRESENT and FEATURE_TYPE_LOW_NUMBER_PRESENT", () => {
    const a = anomaliesOf(rows, [{ name: "x", type: "FLOAT", presence: { minFraction: 0.9, minCount: 4 } }, { name: "y", type: "FLOAT" }]);
    assert.deepEqual(a.map((x) => x.code), ["FEATURE_TYPE_LOW_NUMBER_PRESENT", "FEATURE_TYPE_LOW_FRACTION_PRESENT"]);
    assert.match(a[1].description, /minimum fraction 0\.9, found 0\.75 \(missing in 1 examples\)/);
  });

  it("FEATURE_TYPE_LOW_NUMBER_VALUES and FEATURE_TYPE_HIGH_NUMBER_VALUES (empty lists count as 0 values)", () => {
    assert.deepEqual(check(rows, [{ name: "x", type: "FLOAT", valueCount: { min: 1, max: 2 } }, { name: "y", type: "FLOAT" }]), [
      ["x", "FEATURE_TYPE_LOW_NUMBER_VALUES"],
      ["x", "FEATURE_TYPE_HIGH_NUMBER_VALUES"],
    ]);
  });

  it("INVALID_FEATURE_SHAPE when a fixed shape is not met", () => {
    assert.deepEqual(check([{ v: f(1, 2) }, { v: f(1, 2) }], [{ name: "v", type: "FLOAT", shape: { dim: [{ size: 2 }] } }]), []);
    assert.deepEqual(check([{ v: f(1, 2) }, { v: f(1) }], [{ name: "v", type: "FLOAT", shape: { dim: [{ size: 2 }] } }]), [["v", "INVALID_FEATURE_SHAPE"]]);
  });
});

describe("anomalies: domains", () => {
  const colors = [{ c: b("red") }, { c: b("red", "blue") }, { c: b("green") }, { c: b("red") }];

  it("ENUM_TYPE_UNEXPECTED_STRING_VALUES lists out-of-domain values with their share (TFDV wording)", () => {
    const a = anomaliesOf(colors, [{ name: "c", type: "BYTES", domain: "colors" }], { stringDomain: [{ name: "colors", value: ["red"] }] });
    assert.deepEqual(a.map((x) => [x.code, x.shortDescription, x.description]), [
      ["ENUM_TYPE_UNEXPECTED_STRING_VALUES", "Unexpected string values", "Examples contain values missing from the schema: blue (~20%), green (~20%)."],
    ]);
  });

  it("tolerates off-domain values within distribution_constraints.min_domain_mass", () => {
    const inline = { name: "c", type: "BYTES" as const, stringDomain: { value: ["red"] } };
    assert.deepEqual(check(colors, [{ ...inline, distributionConstraints: { minDomainMass: 0.5 } }]), []);
    assert.deepEqual(check(colors, [{ ...inline, distributionConstraints: { minDomainMass: 0.7 } }]), [["c", "ENUM_TYPE_UNEXPECTED_STRING_VALUES"]]);
  });

  it("ENUM_TYPE_INVALID_UTF8 for non-UTF-8 values of a feature with a string domain", () => {
    const rows = [{ c: { kind: "bytes", values: [new Uint8Array([0xc3, 0x28])] } as Feature }];
    assert.deepEqual(check(rows, [{ name: "c", type: "BYTES", stringDomain: { value: ["x"] } }]), [["c", "ENUM_TYPE_INVALID_UTF8"]]);
  });

  it("INT_TYPE_SMALL_INT / INT_TYPE_BIG_INT outside an int domain; INT_TYPE_NOT_INT_STRING for bytes", () => {
    const a = anomaliesOf([{ n: i64(-2, 5) }, { n: i64(12) }], [{ name: "n", type: "INT", intDomain: { min: 0, max: 10 } }]);
    assert.deepEqual(a.map((x) => [x.code, x.description]), [
      ["INT_TYPE_SMALL_INT", "Unexpectedly small value: -2."],
      ["INT_TYPE_BIG_INT", "Unexpectedly large value: 12."],
    ]);
    assert.deepEqual(check([{ n: b("1", "x") }], [{ name: "n", type: "BYTES", intDomain: {} }]), [["n", "INT_TYPE_NOT_INT_STRING"]]);
    assert.deepEqual(check([{ n: b("1", "12") }], [{ name: "n", type: "BYTES", intDomain: { max: 10 } }]), [["n", "INT_TYPE_BIG_INT"]]);
  });

  it("FLOAT_TYPE_SMALL_FLOAT / BIG_FLOAT / HAS_NAN / HAS_INF / STRING_NOT_FLOAT", () => {
    const a = anomaliesOf([{ v: f(-0.5, 2, Number.NaN, Number.POSITIVE_INFINITY) }], [{ name: "v", type: "FLOAT", floatDomain: { min: 0, max: 1, disallowNan: true, disallowInf: true } }]);
    assert.deepEqual(a.map((x) => x.code), ["FLOAT_TYPE_HAS_NAN", "FLOAT_TYPE_HAS_INF", "FLOAT_TYPE_SMALL_FLOAT", "FLOAT_TYPE_BIG_FLOAT"]);
    assert.equal(a[2].description, "Unexpectedly low values: -0.5<0(upto six significant digits)");
    assert.deepEqual(check([{ v: f(0.1) }], [{ name: "v", type: "FLOAT", floatDomain: { max: Math.fround(0.1) } }]), []);
    assert.deepEqual(check([{ v: b("1.5", "abc") }], [{ name: "v", type: "BYTES", floatDomain: {} }]), [["v", "FLOAT_TYPE_STRING_NOT_FLOAT"]]);
  });

  it("FEATURE_TYPE_LOW_UNIQUE / HIGH_UNIQUE / NO_UNIQUE", () => {
    assert.deepEqual(check(colors, [{ name: "c", type: "BYTES", uniqueConstraints: { min: 4 } }]), [["c", "FEATURE_TYPE_LOW_UNIQUE"]]);
    assert.deepEqual(check(colors, [{ name: "c", type: "BYTES", uniqueConstraints: { max: 2 } }]), [["c", "FEATURE_TYPE_HIGH_UNIQUE"]]);
    assert.deepEqual(check([{ n: i64(1) }], [{ name: "n", type: "INT", uniqueConstraints: { max: 2 } }]), [["n", "FEATURE_TYPE_NO_UNIQUE"]]);
  });
});

describe("anomalies: schema problems", () => {
  it("DOMAIN_INVALID_FOR_TYPE, FEATURE_MISSING_TYPE, INVALID_SCHEMA_SPECIFICATION, INVALID_DOMAIN_SPECIFICATION", () => {
    assert.deepEqual(check([{ n: i64(1) }], [{ name: "n", type: "INT", floatDomain: {} }]), [["n", "DOMAIN_INVALID_FOR_TYPE"]]);
    assert.deepEqual(check([{ n: i64(1) }], [{ name: "n" }]), [["n", "FEATURE_MISSING_TYPE"]]);
    assert.deepEqual(check([{ s: b("a") }], [{ name: "s", type: "BYTES", domain: "nowhere" }]), [["s", "INVALID_SCHEMA_SPECIFICATION"]]);
    assert.deepEqual(check([{ s: b("a") }], [{ name: "s", type: "BYTES", stringDomain: { value: ["a", "a"] } }]), [["s", "INVALID_DOMAIN_SPECIFICATION"]]);
    assert.deepEqual(check([{ s: b("a") }], [{ name: "s", type: "BYTES", presence: { minFraction: 2 } }]), [["s", "INVALID_SCHEMA_SPECIFICATION"]]);
  });
});

describe("anomalies: dataset level, severity and order", () => {
  const rows = [{ x: i64(1) }, { x: i64(2) }, { x: i64(3) }];
  const x: SchemaFeature = { name: "x", type: "INT" };

  it("NO_DATA_IN_SPAN for an empty dataset", () => {
    assert.deepEqual(check([], [{ ...x, ...required }]), [[null, "NO_DATA_IN_SPAN"]]);
  });

  it("DATASET_LOW_NUM_EXAMPLES / DATASET_HIGH_NUM_EXAMPLES", () => {
    assert.deepEqual(check(rows, [x], { datasetConstraints: { minExamplesCount: 5 } }), [[null, "DATASET_LOW_NUM_EXAMPLES"]]);
    assert.deepEqual(check(rows, [x], { datasetConstraints: { maxExamplesCount: 2 } }), [[null, "DATASET_HIGH_NUM_EXAMPLES"]]);
  });

  it("COMPARATOR_LOW_NUM_EXAMPLES / COMPARATOR_HIGH_NUM_EXAMPLES against previous span and version", () => {
    const six = statsOf([...rows, ...rows]);
    const one = statsOf(rows.slice(0, 1));
    const dc = { numExamplesDriftComparator: { minFractionThreshold: 0.9, maxFractionThreshold: 1.1 } };
    assert.deepEqual(check(rows, [x], { datasetConstraints: dc }, { previous: six }), [[null, "COMPARATOR_LOW_NUM_EXAMPLES"]]);
    assert.deepEqual(check(rows, [x], { datasetConstraints: dc }, { previous: one }), [[null, "COMPARATOR_HIGH_NUM_EXAMPLES"]]);
    const vc = { numExamplesVersionComparator: { minFractionThreshold: 1, maxFractionThreshold: 1 } };
    assert.deepEqual(check(rows, [x], { datasetConstraints: vc }, { previousVersion: six }), [[null, "COMPARATOR_LOW_NUM_EXAMPLES"]]);
  });

  it("applies severity overrides", () => {
    const a = validateStatistics(statsOf([{ x: i64(1), y: i64(1) }]), { feature: [x], stringDomain: [] }, { severityOverrides: { SCHEMA_NEW_COLUMN: "WARNING" } });
    assert.deepEqual(a.map((v) => [v.code, v.severity]), [["SCHEMA_NEW_COLUMN", "WARNING"]]);
  });

  it("sorts anomalies: dataset level first, then by feature name, whatever the schema order", () => {
    const features: SchemaFeature[] = [{ name: "z", type: "INT", ...required }, { name: "a", type: "INT", ...required }];
    assert.deepEqual(check([{ m: i64(1) }], features, { datasetConstraints: { minExamplesCount: 9 } }), [
      [null, "DATASET_LOW_NUM_EXAMPLES"],
      ["a", "SCHEMA_MISSING_COLUMN"],
      ["m", "SCHEMA_NEW_COLUMN"],
      ["z", "SCHEMA_MISSING_COLUMN"],
    ]);
  });
});
