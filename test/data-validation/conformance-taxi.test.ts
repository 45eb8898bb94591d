/**
 * Conformance against TFX's Chicago taxi fixtures in ../shared: TFDV's binary statistics, TFX's schema.pbtxt,
 * the CSV those came from, and the TFRecord shards CsvExampleGen wrote (read with Koan's own reader).
 *
 * Note on the data: the FeatureStats.pb files (10036 train + 4966 eval examples) were computed by TFX from the
 * 15,002-row CSV with a different hash split than the TFRecord shards in the fixtures (9909 + 5091 = 15000 rows),
 * so Koan's statistics are compared with TFDV's on the union of both splits, where counts, extrema, zeros, value
 * frequencies and moments combine exactly.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { decodeExample } from "../../src/data/example/decode.js";
import type { Example, Feature, FeatureKind } from "../../src/data/example/types.js";
import { readTFRecords } from "../../src/data/tfrecord/index.js";
import { validateStatistics } from "../../src/data/anomalies/index.js";
import { featureKindsFromSchema, formatSchemaText, inferSchema, parseSchemaText, type Schema } from "../../src/data/schema/index.js";
import {
  StatisticsAccumulator,
  commonStatsOf,
  decodeStatisticsList,
  encodeStatisticsList,
  type DatasetStatistics,
  type FeatureStatistics,
} from "../../src/data/stats/index.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const SHARED = resolve(ROOT, "../shared");
const TAXI = join(SHARED, "fixtures/tfrecord/tfx_taxi_csv_example_gen");
const USER_SCHEMA = join(SHARED, "fixtures/csv/tfx_chicago_taxi_user_provided_schema.pbtxt");
const CSV = join(SHARED, "fixtures/csv/tfx_chicago_taxi_simple.csv");
const skip = existsSync(SHARED) ? false : "../shared is absent: fixture conformance tests need the shared fixtures";

const read = (p: string): string => readFileSync(p, "utf8");
const withoutComments = (text: string): string => text.split("\n").filter((l) => !l.startsWith("#")).join("\n");

async function tfdvStats(split: string): Promise<DatasetStatistics> {
  const list = await decodeStatisticsList(readFileSync(join(TAXI, "statistics", split, "FeatureStats.pb")));
  assert.equal(list.length, 1);
  return list[0];
}

/** CSV rows as TFX's CsvExampleGen makes Examples: typed by the schema, an empty cell a present-but-empty feature. */
function csvExamples(kinds: ReadonlyMap<string, FeatureKind>): Example[] {
  const enc = new TextEncoder();
  const [header, ...lines] = read(CSV).split("\n").filter((l) => l.length > 0);
  const names = header.split(",");
  return lines.map((line) => {
    const cells = line.split(",");
    const ex = new Map<string, Feature>();
    names.forEach((name, k) => {
      const cell = cells[k];
      const kind = kinds.get(name)!;
      if (kind === "bytes") ex.set(name, { kind, values: cell === "" ? [] : [enc.encode(cell)] });
      else if (kind === "float") ex.set(name, { kind, values: cell === "" ? new Float32Array(0) : Float32Array.of(Number(cell)) });
      else ex.set(name, { kind, values: cell === "" ? new BigInt64Array(0) : BigInt64Array.of(BigInt(cell)) });
    });
    return ex;
  });
}

async function shardAccumulator(split: string, kinds: ReadonlyMap<string, FeatureKind>): Promise<StatisticsAccumulator> {
  const acc = new StatisticsAccumulator();
  const dir = join(TAXI, split);
  for (const file of readdirSync(dir).sort()) {
    for await (const record of readTFRecords(join(dir, file))) acc.add(decodeExample(record, { kinds }));
  }
  return acc;
}

const values = (f: FeatureStatistics): Map<string, number> => new Map((f.stringStats?.rankHistogram?.buckets ?? []).map((b) => [b.label, b.sampleCount]));
const relClose = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

describe("conformance: TFX Chicago taxi fixtures", { skip }, () => {
  it("parses TFX's schema.pbtxt and the user-provided schema, and writes them back byte for byte", () => {
    for (const path of [join(TAXI, "schema.pbtxt"), USER_SCHEMA]) {
      const text = read(path);
      const schema = parseSchemaText(text, path);
      assert.equal(schema.feature.length, 18);
      assert.deepEqual(schema.stringDomain.map((d) => d.name), ["company", "payment_type"]);
      assert.equal(formatSchemaText(schema), withoutComments(text));
    }
    const taxi = parseSchemaText(read(join(TAXI, "schema.pbtxt")));
    const pay = taxi.feature.find((x) => x.name === "payment_type")!;
    assert.deepEqual(pay, { name: "payment_type", valueCount: { min: 1, max: 1 }, type: "BYTES", domain: "payment_type", presence: { minFraction: 1, minCount: 1 } });
    assert.equal(taxi.stringDomain[0].value.length, 61);
    const user = parseSchemaText(read(USER_SCHEMA));
    assert.deepEqual(user.feature.find((x) => x.name === "pickup_census_tract")!.presence, { minCount: 0 });
  });

  it("decodes TFDV's FeatureStats.pb of both splits", async () => {
    const train = await tfdvStats("Split-train");
    const evalStats = await tfdvStats("Split-eval");
    assert.equal(train.numExamples, 10036);
    assert.equal(evalStats.numExamples, 4966);
    for (const d of [train, evalStats]) {
      assert.equal(d.features.length, 18);
      assert.deepEqual(d.features.filter((x) => x.type === "STRING").map((x) => x.name), ["company", "payment_type"]);
    }
    const pay = train.features.find((x) => x.name === "payment_type")!.stringStats!;
    assert.deepEqual(pay.topValues.slice(0, 3), [
      { value: "Cash", frequency: 6675 },
      { value: "Credit Card", frequency: 3274 },
      { value: "No Charge", frequency: 61 },
    ]);
    const fare = train.features.find((x) => x.name === "fare")!.numStats!;
    assert.equal(fare.max, Math.fround(700.07));
    assert.deepEqual(fare.histograms.map((h) => [h.type, h.buckets.length]), [["STANDARD", 10], ["QUANTILES", 10]]);
  });

  it("computes on the 15,002 source rows exactly what TFDV computed on train + eval", async () => {
    const schema = parseSchemaText(read(join(TAXI, "schema.pbtxt")));
    const ours = new StatisticsAccumulator().addAll(csvExamples(featureKindsFromSchema(schema))).finish();
    const [train, evalStats] = [await tfdvStats("Split-train"), await tfdvStats("Split-eval")];
    assert.equal(ours.numExamples, train.numExamples + evalStats.numExamples);
    assert.deepEqual(ours.features.map((x) => [x.name, x.type]), train.features.map((x) => [x.name, x.type]));
    for (const f of ours.features) {
      const parts = [train, evalStats].map((d) => d.features.find((x) => x.name === f.name)!);
      const c = commonStatsOf(f)!;
      const pc = parts.map((p) => commonStatsOf(p)!);
      assert.equal(c.numNonMissing, pc[0].numNonMissing + pc[1].numNonMissing, `${f.name} numNonMissing`);
      assert.equal(c.numMissing, pc[0].numMissing + pc[1].numMissing, `${f.name} numMissing`);
      assert.equal(c.totNumValues, pc[0].totNumValues + pc[1].totNumValues, `${f.name} totNumValues`);
      assert.equal(c.minNumValues, Math.min(pc[0].minNumValues, pc[1].minNumValues), `${f.name} minNumValues`);
      assert.equal(c.maxNumValues, Math.max(pc[0].maxNumValues, pc[1].maxNumValues), `${f.name} maxNumValues`);
      if (f.numStats) {
        const n = f.numStats;
        const withValues = parts.filter((p) => p.numStats!.commonStats.totNumValues > 0).map((p) => p.numStats!);
        assert.equal(n.min, Math.min(...withValues.map((p) => p.min)), `${f.name} min`);
        assert.equal(n.max, Math.max(...withValues.map((p) => p.max)), `${f.name} max`);
        assert.equal(n.numZeros, parts[0].numStats!.numZeros + parts[1].numStats!.numZeros, `${f.name} numZeros`);
        const counts = withValues.map((p) => p.commonStats.totNumValues);
        const total = counts.reduce((s, x) => s + x, 0);
        const mean = withValues.reduce((s, p, k) => s + p.mean * counts[k], 0) / total;
        const variance = withValues.reduce((s, p, k) => s + counts[k] * (p.stdDev ** 2 + (p.mean - mean) ** 2), 0) / total;
        relClose(n.mean, mean, 1e-12, `${f.name} mean`);
        relClose(n.stdDev, Math.sqrt(variance), 1e-6, `${f.name} stdDev`);
      } else {
        const s = f.stringStats!;
        const expected = new Map<string, number>();
        for (const p of parts) for (const [v, k] of values(p)) expected.set(v, (expected.get(v) ?? 0) + k);
        assert.deepEqual(values(f), new Map([...expected].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : -1))), `${f.name} value counts`);
        assert.equal(s.unique, expected.size, `${f.name} unique`);
        assert.deepEqual(s.topValues.map((v) => v.value), [...values(f).keys()].slice(0, 20));
        const len = parts.reduce((sum, p) => sum + p.stringStats!.avgLength * p.stringStats!.commonStats.totNumValues, 0) / c.totNumValues;
        relClose(s.avgLength, len, 1e-6, `${f.name} avgLength`);
      }
    }
  });

  it("reads the TFRecord shards with Koan's reader; shard statistics agree with the CSV and merge like one pass", async () => {
    const schema = parseSchemaText(read(join(TAXI, "schema.pbtxt")));
    const kinds = featureKindsFromSchema(schema);
    const train = await shardAccumulator("Split-train", kinds);
    const evalAcc = await shardAccumulator("Split-eval", kinds);
    assert.deepEqual([train.numExamples, evalAcc.numExamples], [9909, 5091]);
    const [tfdvTrain] = [await tfdvStats("Split-train")];
    const trainStats = train.finish();
    assert.deepEqual(trainStats.features.map((x) => [x.name, x.type]), tfdvTrain.features.map((x) => [x.name, x.type]));
    const merged = StatisticsAccumulator.fromJSON(JSON.parse(JSON.stringify(train))).merge(evalAcc).finish();
    const csv = new StatisticsAccumulator().addAll(csvExamples(kinds)).finish();
    for (const f of merged.features) {
      const g = csv.features.find((x) => x.name === f.name)!;
      const [a, c] = [commonStatsOf(f)!, commonStatsOf(g)!];
      assert.ok(c.numNonMissing - a.numNonMissing === 2 && c.totNumValues - a.totNumValues <= 2, `${f.name}: shards hold 2 rows fewer than the CSV`);
      if (f.stringStats) for (const [v, k] of values(f)) assert.ok(k <= values(g).get(v)! && values(g).get(v)! - k <= 2, `${f.name}=${v}`);
    }
    // re-reading and merging again gives identical statistics (determinism)
    const again = (await shardAccumulator("Split-train", kinds)).merge(await shardAccumulator("Split-eval", kinds));
    assert.deepEqual(again.finish(), merged);
    // one pass over all shards gives the merged result: exactly for counts, extrema and values, closely for moments
    const single = new StatisticsAccumulator();
    for (const split of ["Split-train", "Split-eval"]) {
      const dir = join(TAXI, split);
      for (const file of readdirSync(dir).sort()) for await (const r of readTFRecords(join(dir, file))) single.add(decodeExample(r, { kinds }));
    }
    const one = single.finish();
    one.features.forEach((f, k) => {
      const g = merged.features[k];
      assert.deepEqual(commonStatsOf(g)!.numNonMissing, commonStatsOf(f)!.numNonMissing);
      assert.deepEqual(commonStatsOf(g)!.totNumValues, commonStatsOf(f)!.totNumValues);
      if (f.stringStats) assert.deepEqual(g.stringStats!.rankHistogram, f.stringStats.rankHistogram);
      if (f.numStats) {
        assert.deepEqual([g.numStats!.min, g.numStats!.max, g.numStats!.numZeros], [f.numStats.min, f.numStats.max, f.numStats.numZeros]);
        relClose(g.numStats!.mean, f.numStats.mean, 1e-12, `${f.name} merged mean`);
        relClose(g.numStats!.stdDev, f.numStats.stdDev, 1e-9, `${f.name} merged stdDev`);
      }
    });
  });

  it("approximates quantiles on real data within TFDV's 1% rank error", async () => {
    const kinds = featureKindsFromSchema(parseSchemaText(read(join(TAXI, "schema.pbtxt"))));
    const examples = csvExamples(kinds);
    const stats = new StatisticsAccumulator({ quantileSketchK: 200 }).addAll(examples).finish();
    for (const name of ["fare", "trip_start_timestamp", "trip_seconds"]) {
      const sorted = examples.flatMap((e) => Array.from(e.get(name)!.values as ArrayLike<number | bigint>, Number)).sort((x, y) => x - y);
      const rank = (v: number): [number, number] => [sorted.findIndex((x) => x >= v) / sorted.length, (sorted.findLastIndex((x) => x <= v) + 1) / sorted.length];
      const q = stats.features.find((x) => x.name === name)!.numStats!.histograms.find((h) => h.type === "QUANTILES")!;
      q.buckets.forEach((bucket, k) => {
        const [lo, hi] = rank(bucket.highValue);
        const target = (k + 1) / 10;
        assert.ok(target >= lo - 0.01 && target <= hi + 0.01, `${name} q${target}: value ${bucket.highValue} spans ranks ${lo}..${hi}`);
      });
    }
  });

  it("infers from TFDV's train statistics the schema TFX inferred", async () => {
    const fixture = parseSchemaText(read(join(TAXI, "schema.pbtxt")));
    const inferred = inferSchema(await tfdvStats("Split-train"));
    const byName = (s: Schema) => new Map(s.feature.map((x) => [x.name, x]));
    assert.deepEqual(byName(inferred), byName(fixture));
    // TFX appended values first seen in eval after the 45 (company) and 6 (payment_type) sorted train values
    for (const d of inferred.stringDomain) {
      const expected = fixture.stringDomain.find((x) => x.name === d.name)!.value;
      assert.deepEqual(d.value, expected.slice(0, d.value.length));
    }
    assert.deepEqual(inferred.stringDomain.map((d) => d.value.length), [45, 6]);
  });

  it("validates: eval conforms to schema.pbtxt; against the train-only schema the unseen values are flagged", async () => {
    const fixture = parseSchemaText(read(join(TAXI, "schema.pbtxt")));
    const evalStats = await tfdvStats("Split-eval");
    assert.deepEqual(validateStatistics(evalStats, fixture), []);
    const trainOnly = inferSchema(await tfdvStats("Split-train"));
    const anomalies = validateStatistics(evalStats, trainOnly);
    assert.deepEqual(anomalies.map((a) => [a.feature, a.code]), [
      ["company", "ENUM_TYPE_UNEXPECTED_STRING_VALUES"],
      ["payment_type", "ENUM_TYPE_UNEXPECTED_STRING_VALUES"],
    ]);
    assert.equal(anomalies[1].description, "Examples contain values missing from the schema: Prcard (<1%).");
    // the user-provided schema requires one value where TFX wrote empty lists
    const user = parseSchemaText(read(USER_SCHEMA));
    const low = validateStatistics(evalStats, user).filter((a) => a.code === "FEATURE_TYPE_LOW_NUMBER_VALUES").map((a) => a.feature);
    assert.deepEqual(low, ["company", "dropoff_census_tract", "dropoff_community_area", "dropoff_latitude", "dropoff_longitude", "pickup_community_area", "pickup_latitude", "pickup_longitude", "trip_seconds"]);
  });

  it("Koan's own taxi statistics conform to schema.pbtxt and survive the binary format", async () => {
    const schema = parseSchemaText(read(join(TAXI, "schema.pbtxt")));
    const stats = new StatisticsAccumulator().addAll(csvExamples(featureKindsFromSchema(schema))).finish({ name: "all" });
    assert.deepEqual(validateStatistics(stats, schema), []);
    const [back] = await decodeStatisticsList(await encodeStatisticsList([stats]));
    assert.deepEqual(validateStatistics(back, schema), []);
    assert.deepEqual(inferSchema(back).feature, inferSchema(stats).feature);
  });
});
