import assert from "node:assert/strict";
import { describe, it } from "node:test";
import protobuf from "protobufjs";
import { KoanError } from "../../src/core/errors.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import {
  StatisticsAccumulator,
  decodeStatisticsList,
  encodeStatisticsList,
  type CommonStatistics,
  type DatasetStatistics,
  type FeatureStatistics,
} from "../../src/data/stats/index.js";

/**
 * An independent definition written for this test from tensorflow_metadata's statistics.proto
 * (field numbers checked against the published file), not shared with the implementation.
 */
const INDEPENDENT_PROTO = `
syntax = "proto3";
package check;
message List { repeated Dataset datasets = 1; }
message Dataset { string name = 1; uint64 num_examples = 2; repeated Feat features = 3; }
message Path { repeated string step = 1; }
message Feat {
  string name = 1; int32 type = 2; Num num_stats = 3; Str string_stats = 4; Bytes bytes_stats = 5;
  Struct struct_stats = 7; Path path = 8;
}
message Common {
  uint64 num_non_missing = 1; uint64 num_missing = 2; uint64 min_num_values = 3; uint64 max_num_values = 4;
  float avg_num_values = 5; Hist num_values_histogram = 6; uint64 tot_num_values = 8;
}
message Num {
  Common common_stats = 1; double mean = 2; double std_dev = 3; uint64 num_zeros = 4; double min = 5;
  double median = 6; double max = 7; repeated Hist histograms = 8;
}
message Str {
  Common common_stats = 1; uint64 unique = 2; repeated FreqAndValue top_values = 3; float avg_length = 4;
  Rank rank_histogram = 5; uint64 invalid_utf8_count = 8;
}
message FreqAndValue { string value = 2; double frequency = 3; }
message Bytes { Common common_stats = 1; uint64 unique = 2; float avg_num_bytes = 3; float min_num_bytes = 4; float max_num_bytes = 5; }
message Struct { Common common_stats = 1; }
message Hist { uint64 num_nan = 1; uint64 num_undefined = 2; repeated Bucket buckets = 3; int32 type = 4; string name = 5; }
message Bucket { double low_value = 1; double high_value = 2; double sample_count = 4; }
message Rank { repeated RankBucket buckets = 1; string name = 2; }
message RankBucket { uint64 low_rank = 1; uint64 high_rank = 2; string label = 4; double sample_count = 5; }
`;
const independent = protobuf.parse(INDEPENDENT_PROTO).root.lookupType("check.List");

const enc = new TextEncoder();
const f = (...v: number[]): Feature => ({ kind: "float", values: Float32Array.from(v) });
const i64 = (...v: number[]): Feature => ({ kind: "int64", values: BigInt64Array.from(v.map((x) => BigInt(x))) });
const b = (...v: string[]): Feature => ({ kind: "bytes", values: v.map((s) => enc.encode(s)) });

function sampleStats(): DatasetStatistics {
  const rows: Record<string, Feature>[] = [
    { price: f(1.25, 3), n: i64(7), color: b("red", "blue"), empty: f() },
    { price: f(0), n: i64(-1), color: b("red"), empty: f() },
    { n: i64(3), color: b("green", "é") },
  ];
  return new StatisticsAccumulator().addAll(rows.map((r): Example => new Map(Object.entries(r)))).finish({ name: "train" });
}

/** float (float32) proto fields lose precision: round the expected values the same way. */
function float32Fields(d: DatasetStatistics): DatasetStatistics {
  const common = (c: CommonStatistics): CommonStatistics => ({ ...c, avgNumValues: Math.fround(c.avgNumValues) });
  const feature = (x: FeatureStatistics): FeatureStatistics => ({
    ...x,
    ...(x.numStats ? { numStats: { ...x.numStats, commonStats: common(x.numStats.commonStats) } } : {}),
    ...(x.stringStats ? { stringStats: { ...x.stringStats, avgLength: Math.fround(x.stringStats.avgLength), commonStats: common(x.stringStats.commonStats) } } : {}),
  });
  return { ...d, features: d.features.map(feature) };
}

describe("binary DatasetFeatureStatisticsList", () => {
  it("round-trips Koan statistics (float fields at float32 precision)", async () => {
    const stats = sampleStats();
    const second: DatasetStatistics = { ...stats, name: "eval" };
    const back = await decodeStatisticsList(await encodeStatisticsList([stats, second]));
    assert.deepEqual(back, [float32Fields(stats), float32Fields(second)]);
  });

  it("is readable by an independently defined protobufjs type with the same field numbers", async () => {
    const stats = sampleStats();
    const msg = independent.toObject(independent.decode(await encodeStatisticsList([stats])), { longs: Number, defaults: true }) as {
      datasets: { name: string; numExamples: number; features: Record<string, never>[] }[];
    };
    const d = msg.datasets[0];
    assert.equal(d.name, "train");
    assert.equal(d.numExamples, 3);
    type Any = Record<string, unknown> & { [k: string]: Any };
    const feats = d.features as unknown as Any[];
    assert.deepEqual(feats.map((x) => (x.path as unknown as { step: string[] }).step[0]), ["color", "empty", "n", "price"]);
    assert.deepEqual(feats.map((x) => x.type), [2, 1, 0, 1]); // STRING, FLOAT, INT, FLOAT
    const price = feats[3].numStats;
    const expected = stats.features[3].numStats!;
    assert.equal(price.mean, expected.mean);
    assert.equal(price.stdDev, expected.stdDev);
    assert.equal(price.numZeros, 1);
    assert.equal(price.max, 3);
    assert.equal(price.commonStats.numNonMissing, 2);
    assert.equal(price.commonStats.numMissing, 1);
    assert.equal(price.commonStats.totNumValues, 3);
    assert.equal(price.commonStats.avgNumValues, Math.fround(1.5));
    const histograms = price.histograms as unknown as { type: number; buckets: { sampleCount: number }[] }[];
    assert.deepEqual(histograms.map((h) => [h.type, h.buckets.length]), [[0, 10], [1, 10]]);
    const color = feats[0].stringStats;
    assert.equal(color.unique, 4);
    assert.deepEqual(color.topValues, [
      { value: "red", frequency: 2 },
      { value: "é", frequency: 1 },
      { value: "green", frequency: 1 },
      { value: "blue", frequency: 1 },
    ]);
    assert.equal((color.rankHistogram.buckets as unknown as unknown[]).length, 4);
    assert.equal(color.avgLength, Math.fround(17 / 5)); // red blue red green é: 3+4+3+5+2 bytes
  });

  it("decodes TFDV-style messages: name instead of path, bytes and struct statistics, defaults", async () => {
    const bytes = independent
      .encode(
        independent.fromObject({
          datasets: [
            {
              numExamples: 4,
              features: [
                { name: "img", type: 3, bytesStats: { commonStats: { numNonMissing: 4, totNumValues: 4, maxNumValues: 1, minNumValues: 1, avgNumValues: 1 }, unique: 4, avgNumBytes: 10, minNumBytes: 5, maxNumBytes: 20 } },
                { path: { step: ["parent", "child"] }, type: 4, structStats: { commonStats: { numNonMissing: 2, numMissing: 2 } } },
                { name: "cat", type: 0, stringStats: { unique: 1, topValues: [{ value: "1", frequency: 4 }] } },
              ],
            },
          ],
        }),
      )
      .finish();
    const [d] = await decodeStatisticsList(bytes);
    assert.equal(d.name, "");
    assert.equal(d.numExamples, 4);
    assert.deepEqual(d.features.map((x) => [x.name, x.type]), [
      ["cat", "INT"],
      ["img", "BYTES"],
      ["parent.child", "STRUCT"],
    ]);
    assert.deepEqual(d.features[1].bytesStats, {
      commonStats: { numNonMissing: 4, numMissing: 0, minNumValues: 1, maxNumValues: 1, avgNumValues: 1, totNumValues: 4 },
      unique: 4,
      avgNumBytes: 10,
      minNumBytes: 5,
      maxNumBytes: 20,
    });
    assert.equal(d.features[2].structStats!.commonStats.numMissing, 2);
    assert.deepEqual(d.features[0].stringStats!.topValues, [{ value: "1", frequency: 4 }]);
    assert.equal(d.features[0].stringStats!.rankHistogram, undefined);
  });

  it("rejects bytes that are not a statistics list", async () => {
    await assert.rejects(decodeStatisticsList(new Uint8Array([0x0a, 0xff, 0xff])), (e: unknown) => e instanceof KoanError && e.code === "FORMAT_INVALID");
  });
});
