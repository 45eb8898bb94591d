import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import { formatDouble, formatFloat, formatSchemaText, parseSchemaText, parseTextFormat, type Schema } from "../../src/data/schema/index.js";

const isFormat = (e: unknown): boolean => e instanceof KoanError && e.code === "FORMAT_INVALID";

/** A schema touching every modelled part. */
const RICH: Schema = {
  feature: [
    {
      name: "a",
      deprecated: false,
      valueCount: { min: 1, max: 3 },
      type: "BYTES",
      domain: "a_values",
      presence: { minFraction: 0.5, minCount: 2 },
      distributionConstraints: { minDomainMass: 0.9 },
      annotation: { tag: ["t1", "t2"], comment: ["line \"quoted\"\nnext"] },
      skewComparator: { infinityNorm: { threshold: 0.01 } },
      notInEnvironment: ["SERVING"],
      inEnvironment: ["TRAINING"],
      driftComparator: { jensenShannonDivergence: { threshold: 0.2, source: { type: "QUANTILES" } }, normalizedAbsDifference: { threshold: 0.3 } },
      lifecycleStage: "PRODUCTION",
      uniqueConstraints: { min: 1, max: 10 },
    },
    { name: "b", type: "FLOAT", floatDomain: { name: "fd", min: -1.5, max: Math.fround(0.1), disallowNan: true, disallowInf: true, isEmbedding: false }, shape: { dim: [{ size: 2, name: "x" }, { size: 3 }] } },
    { name: "c", type: "INT", intDomain: { min: -5, max: 1e15, isCategorical: true }, groupPresence: { required: true }, valueCounts: { valueCount: [{ min: 1 }, { max: 2 }] } },
    { name: "d", type: "BYTES", stringDomain: { name: "inline", value: ["x", "ü", "\t"], isCategorical: "CATEGORICAL_YES" }, lifecycleStage: "DEPRECATED" },
    { name: "e", type: "BYTES", boolDomain: { trueValue: "yes", falseValue: "no" } },
    { name: "f", type: "INT", timeDomain: { integerFormat: "UNIX_SECONDS" } },
    { name: "g", type: "BYTES", urlDomain: {} },
    { name: "h", type: "STRUCT", structDomain: { feature: [{ name: "inner", type: "INT" }] } },
  ],
  stringDomain: [{ name: "a_values", value: ["p", "q"] }],
  defaultEnvironment: ["TRAINING", "SERVING"],
  sparseFeature: [{ name: "sp", indexFeature: [{ name: "i" }], valueFeature: { name: "v" }, isSorted: true }],
  annotation: { comment: ["top"] },
  floatDomain: [{ name: "shared", min: 0 }],
  intDomain: [{ name: "shared_int", max: 9 }],
  datasetConstraints: { numExamplesDriftComparator: { minFractionThreshold: 0.5, maxFractionThreshold: 2 }, minExamplesCount: 10, maxExamplesCount: 1000 },
  weightedFeature: [{ name: "w", feature: { step: ["a"] }, weightFeature: { step: ["b"] }, lifecycleStage: "BETA" }],
  representVariableLengthAsRagged: true,
};

describe("schema.pbtxt", () => {
  it("round-trips a schema using every modelled field", () => {
    const text = formatSchemaText(RICH);
    const back = parseSchemaText(text);
    assert.deepEqual(back, { ...RICH, feature: RICH.feature.map((x) => ({ ...x })) });
    assert.equal(formatSchemaText(back), text);
  });

  it("writes the layout TFDV writes: field-number order, two-space indent, Python floats, C escapes", () => {
    const text = formatSchemaText({
      feature: [{ name: "fare", presence: { minFraction: 1, minCount: 1 }, type: "FLOAT", valueCount: { min: 1, max: 1 } }],
      stringDomain: [{ name: "pay", value: ["Cash", "é", 'say "hi"\n'] }],
    });
    assert.equal(
      text,
      [
        "feature {",
        '  name: "fare"',
        "  value_count {",
        "    min: 1",
        "    max: 1",
        "  }",
        "  type: FLOAT",
        "  presence {",
        "    min_fraction: 1.0",
        "    min_count: 1",
        "  }",
        "}",
        "string_domain {",
        '  name: "pay"',
        '  value: "Cash"',
        '  value: "\\303\\251"',
        '  value: "say \\"hi\\"\\n"',
        "}",
        "",
      ].join("\n"),
    );
  });

  it("reads text-format variants: comments, <> blocks, optional colons, lists, separators, escapes", () => {
    const s = parseSchemaText(`# comment
      feature < name: 'x' type: INT; presence: { min_count: 0x10 } > ,
      feature { name: "y" "z" type: 1 value_count { min: 1 max: 2 } }
      string_domain { name: "d" value: ["a\\x41", "\\101\\u00e9", "\\303\\251"] }
      default_environment: "E"   # trailing comment
    `);
    assert.deepEqual(s.feature[0], { name: "x", type: "INT", presence: { minCount: 16 } });
    assert.deepEqual(s.feature[1], { name: "yz", valueCount: { min: 1, max: 2 }, type: "BYTES" });
    assert.deepEqual(s.stringDomain[0].value, ["aA", "Aé", "é"]);
    assert.deepEqual(s.defaultEnvironment, ["E"]);
  });

  it("parses floats: inf, -inf, nan, f suffixes; float32 fields are rounded to float32", () => {
    const s = parseSchemaText(`feature { name: "v" type: FLOAT float_domain { min: -inf max: 0.1f } presence { min_fraction: 1e-05 } }`);
    assert.equal(s.feature[0].floatDomain!.min, Number.NEGATIVE_INFINITY);
    assert.equal(s.feature[0].floatDomain!.max, Math.fround(0.1));
    assert.equal(s.feature[0].presence!.minFraction, 0.00001);
    assert.match(formatSchemaText(s), /max: 0\.1\n[\s\S]*min_fraction: 1e-05/);
  });

  it("keeps unknown fields and writes them back", () => {
    const text = 'feature {\n  name: "x"\n  type: INT\n  audio_domain {\n  }\n}\ntensor_representation_group {\n  key: ""\n  value {\n    tensor_representation {\n      key: "x"\n    }\n  }\n}\n';
    const s = parseSchemaText(text);
    assert.equal(s.unknownFields?.length, 1);
    assert.equal(s.feature[0].unknownFields?.[0].name, "audio_domain");
    assert.equal(formatSchemaText(s), text);
  });

  it("reports syntax and structure errors with line numbers", () => {
    assert.throws(() => parseSchemaText('feature {\n  name: "x"\n  type: INT\n'), (e: unknown) => isFormat(e) && /expected "}"/.test((e as Error).message));
    assert.throws(() => parseSchemaText('feature {\n  name: "x"\n  type: NUMBER\n}'), (e: unknown) => isFormat(e) && /:3: .*must be one of/.test((e as Error).message));
    assert.throws(() => parseSchemaText('feature { name: "x" name: "y" }'), (e: unknown) => isFormat(e) && /more than once/.test((e as Error).message));
    assert.throws(() => parseSchemaText('feature { name: "x" domain: "d" int_domain {} }'), (e: unknown) => isFormat(e) && /oneof domain_info/.test((e as Error).message));
    assert.throws(() => parseSchemaText("feature { type: INT }"), (e: unknown) => isFormat(e) && /has no "name"/.test((e as Error).message));
    assert.throws(() => parseSchemaText('feature { name: "unterminated }'), isFormat);
    assert.throws(() => parseSchemaText('feature { name: "x" presence { min_count: 1.5 } }'), isFormat);
    assert.throws(() => parseSchemaText("[ext.field]: 1"), isFormat);
    assert.throws(() => parseSchemaText('feature { name: "\\377" }'), (e: unknown) => isFormat(e) && /UTF-8/.test((e as Error).message));
  });

  it("refuses to write values that are not schema fields or have the wrong type", () => {
    const isData = (e: unknown): boolean => e instanceof KoanError && e.code === "DATA_INVALID";
    const typo = { feature: [{ name: "x", presense: {} }], stringDomain: [] } as unknown as Schema;
    assert.throws(() => formatSchemaText(typo), (e: unknown) => isData(e) && /\$\.feature\[0\]\.presense/.test((e as Error).message));
    const badInt = { feature: [{ name: "x", valueCount: { min: 0.5 } }], stringDomain: [] } as unknown as Schema;
    assert.throws(() => formatSchemaText(badInt), isData);
  });

  it("formats doubles and floats like Python", () => {
    assert.deepEqual([1, 0.5, 1e-5, 0.0001, 1e16, 123.25, -2, 1.5e300, Number.NaN, -0].map(formatDouble), ["1.0", "0.5", "1e-05", "0.0001", "1e+16", "123.25", "-2.0", "1.5e+300", "nan", "-0.0"]);
    assert.deepEqual([0.1, 1 / 3, 16777216, 1e-7].map(formatFloat), ["0.1", "0.33333334", "16777216.0", "1e-07"]);
  });

  it("parses generic text format to a tree", () => {
    const t = parseTextFormat("a: 1 b { c: 'x' } d: [1, 2]");
    assert.deepEqual(t.fields.map((x) => x.name), ["a", "b", "d", "d"]);
  });
});
