import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Example, Feature } from "../../src/data/example/types.js";
import { inferSchema, featureKindsFromSchema, formatSchemaText, type Schema } from "../../src/data/schema/index.js";
import { StatisticsAccumulator, type DatasetStatistics } from "../../src/data/stats/index.js";

const enc = new TextEncoder();
const f = (...v: number[]): Feature => ({ kind: "float", values: Float32Array.from(v) });
const i64 = (...v: number[]): Feature => ({ kind: "int64", values: BigInt64Array.from(v.map((x) => BigInt(x))) });
const b = (...v: string[]): Feature => ({ kind: "bytes", values: v.map((s) => enc.encode(s)) });

function statsOf(rows: Record<string, Feature>[]): DatasetStatistics {
  return new StatisticsAccumulator().addAll(rows.map((r): Example => new Map(Object.entries(r)))).finish();
}

/** 10 rows: required scalar, optional, present-but-empty, multivalent, categorical, id-like, integer strings. */
function rows(): Record<string, Feature>[] {
  return Array.from({ length: 10 }, (_, k) => ({
    age: i64(20 + k),
    ...(k < 5 ? { opt: f(k) } : {}),
    sometimes: k % 2 ? f(1) : f(),
    tags: b(...Array.from({ length: 1 + (k % 3) }, (_, j) => `t${j}`)),
    pair: f(k, k + 1),
    color: b(k % 2 ? "red" : "blue"),
    id: b(`id-${k}`),
    code: b(String(k % 3)),
  }));
}

describe("schema inference", () => {
  const schema = inferSchema(statsOf(rows()));
  const feat = (name: string) => schema.feature.find((x) => x.name === name)!;

  it("infers types (STRING statistics become BYTES)", () => {
    assert.deepEqual(schema.feature.map((x) => [x.name, x.type]), [
      ["age", "INT"],
      ["code", "BYTES"],
      ["color", "BYTES"],
      ["id", "BYTES"],
      ["opt", "FLOAT"],
      ["pair", "FLOAT"],
      ["sometimes", "FLOAT"],
      ["tags", "BYTES"],
    ]);
  });

  it("infers presence: min_fraction 1.0 only when never missing, min_count 1 when present", () => {
    assert.deepEqual(feat("age").presence, { minFraction: 1, minCount: 1 });
    assert.deepEqual(feat("opt").presence, { minCount: 1 });
    assert.deepEqual(feat("sometimes").presence, { minFraction: 1, minCount: 1 });
  });

  it("infers value counts: fixed when min == max, min 1 when variable, none when sometimes empty", () => {
    assert.deepEqual(feat("age").valueCount, { min: 1, max: 1 });
    assert.deepEqual(feat("pair").valueCount, { min: 2, max: 2 });
    assert.deepEqual(feat("tags").valueCount, { min: 1 });
    assert.equal(feat("sometimes").valueCount, undefined);
  });

  it("gives categorical strings a sorted schema-level domain, integer strings an int_domain", () => {
    assert.equal(feat("color").domain, "color");
    assert.equal(feat("id").domain, "id");
    assert.deepEqual(schema.stringDomain.find((d) => d.name === "color")!.value, ["blue", "red"]);
    assert.deepEqual(feat("code").intDomain, {});
    assert.equal(feat("code").domain, undefined);
    assert.equal(schema.stringDomain.find((d) => d.name === "code"), undefined);
  });

  it("respects maxStringDomainSize and maxStringDomainUniqueRatio", () => {
    const s1 = inferSchema(statsOf(rows()), { maxStringDomainSize: 3 });
    assert.equal(s1.feature.find((x) => x.name === "id")!.domain, undefined);
    assert.equal(s1.feature.find((x) => x.name === "color")!.domain, "color");
    const s2 = inferSchema(statsOf(rows()), { maxStringDomainUniqueRatio: 0.5 });
    assert.equal(s2.feature.find((x) => x.name === "id")!.domain, undefined); // 10 unique / 10 values
    assert.equal(s2.feature.find((x) => x.name === "color")!.domain, "color");
  });

  it("infers fixed shapes and int domains on request", () => {
    const s = inferSchema(statsOf(rows()), { inferFeatureShape: true, inferIntDomains: true });
    const pair = s.feature.find((x) => x.name === "pair")!;
    assert.deepEqual(pair.shape, { dim: [{ size: 2 }] });
    assert.equal(pair.valueCount, undefined);
    assert.deepEqual(s.feature.find((x) => x.name === "age")!.intDomain, { min: 20, max: 29 });
    assert.deepEqual(s.feature.find((x) => x.name === "tags")!.valueCount, { min: 1 });
  });

  it("keeps a pinned base schema and only adds new features, renaming clashing domains", () => {
    const base: Schema = {
      feature: [{ name: "color", type: "BYTES", domain: "color", presence: { minCount: 1 } }],
      stringDomain: [{ name: "color", value: ["blue", "red", "green"] }, { name: "id", value: ["x"] }],
      defaultEnvironment: ["TRAINING"],
    };
    const s = inferSchema(statsOf(rows()), { base });
    assert.deepEqual(s.feature[0], base.feature[0]);
    assert.equal(s.feature.length, 8);
    assert.deepEqual(s.defaultEnvironment, ["TRAINING"]);
    assert.equal(s.feature.find((x) => x.name === "id")!.domain, "id2");
    assert.deepEqual(s.stringDomain.map((d) => d.name), ["color", "id", "id2", "tags"]);
  });

  it("is deterministic and prints as pbtxt", () => {
    const again = inferSchema(statsOf(rows().map((r) => Object.fromEntries(Object.entries(r).reverse()))));
    assert.equal(formatSchemaText(again), formatSchemaText(schema));
    assert.match(formatSchemaText(schema), /feature \{\n  name: "age"\n  value_count \{\n    min: 1\n    max: 1\n  \}\n  type: INT\n  presence \{\n    min_fraction: 1\.0\n    min_count: 1\n  \}\n\}/);
  });

  it("maps schema types to example kinds for decoding kind-less values", () => {
    assert.deepEqual(Object.fromEntries(featureKindsFromSchema(schema)), {
      age: "int64",
      code: "bytes",
      color: "bytes",
      id: "bytes",
      opt: "float",
      pair: "float",
      sometimes: "float",
      tags: "bytes",
    });
  });

  it("gives features never present min_count 0 and no value count", () => {
    const stats: DatasetStatistics = {
      name: "",
      numExamples: 3,
      features: [{ name: "ghost", type: "INT", numStats: { commonStats: { numNonMissing: 0, numMissing: 3, minNumValues: 0, maxNumValues: 0, avgNumValues: 0, totNumValues: 0 }, mean: 0, stdDev: 0, numZeros: 0, min: 0, median: 0, max: 0, histograms: [] } }],
    };
    assert.deepEqual(inferSchema(stats).feature, [{ name: "ghost", type: "INT", presence: { minCount: 0 } }]);
  });
});
