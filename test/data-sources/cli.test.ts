import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Koan, fileSource, pipeline, rowsSource, statistics, schemaGen } from "../../src/index.js";
import { decodeStatisticsList } from "../../src/data/stats/binary.js";
import { parseSchemaText } from "../../src/data/schema/pbtxt.js";
import type { DatasetStatistics } from "../../src/data/stats/types.js";
import type { SourceVersions } from "../../src/data/versions/catalog.js";
import { koan as cli, tempDir } from "../helpers.js";

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
const ids: Record<string, string> = {};

function csv(rows: number, weather: (i: number) => string): string {
  const lines = ["day,temp,weather,count"];
  for (let i = 0; i < rows; i++) lines.push(`${i},${(i % 17) + 0.5},${weather(i)},${i % 5}`);
  return `${lines.join("\n")}\n`;
}

before(async () => {
  ({ dir, cleanup } = await tempDir());
  const k = await Koan.open({ dir, init: true });
  try {
    const file = join(dir, "weather.csv");
    const load = pipeline({ name: "load", build: () => { fileSource(undefined, { params: { path: file } }); } });
    const full = pipeline({
      name: "full",
      build: () => {
        const { dataset } = fileSource(undefined, { params: { path: file } });
        const { statistics: s } = statistics({ dataset });
        schemaGen({ statistics: s });
      },
    });
    await writeFile(file, csv(200, (i) => ["sun", "rain", "fog"][i % 3] as string));
    const v1 = await k.run(full);
    assert.equal(v1.status, "succeeded", v1.error?.message);
    ids.v1 = v1.outputs.file_source?.dataset?.id as string;
    ids.v1stats = v1.outputs.statistics?.statistics?.id as string;
    assert.equal((await k.run(load)).steps[0]?.cacheHit, true);
    await writeFile(file, csv(300, (i) => (i % 2 ? "snow" : "sun")));
    const v2 = await k.run(load);
    ids.v2 = v2.outputs.file_source?.dataset?.id as string;
    ids.v2run = v2.runId;
    const rows = await k.run(pipeline({ name: "inline", build: () => { rowsSource(undefined, { params: { rows: [{ a: 1 }, { a: 2 }] } }); } }));
    ids.rows = rows.outputs.rows_source?.dataset?.id as string;
  } finally {
    await k.close();
  }
});
after(async () => cleanup());

test("koan datasets lists each source's versions with row counts, hash and time; a cache hit is no new version", async () => {
  const r = await cli(["datasets", "--json"], dir);
  assert.equal(r.code, 0, r.stderr);
  const sources = JSON.parse(r.stdout) as SourceVersions[];
  const weather = sources.find((s) => s.kind === "csv");
  assert.ok(weather?.uri?.endsWith("/weather.csv"));
  assert.deepEqual(weather?.versions.map((v) => [v.version, v.artifactId, v.rows]), [[1, ids.v1, { all: 200 }], [2, ids.v2, { all: 300 }]]);
  assert.match(weather?.versions[0]?.takenAt ?? "", /^\d{4}-\d\d-\d\dT/);
  assert.match(weather?.versions[0]?.contentHash ?? "", /^[0-9a-f]{64}$/);
  assert.deepEqual(sources.find((s) => s.kind === "rows")?.versions.map((v) => v.rows), [{ all: 2 }]);
  const text = await cli(["datasets"], dir);
  assert.match(text.stdout, /csv file:\/\/.*weather\.csv {2}2 versions/);
  assert.match(text.stdout, /v2 +a-\S+ +all=300 +4 +sha256:[0-9a-f]{12}/);
});

test("koan stats uses recorded statistics, computes them when none were recorded, and writes a binary FeatureStats list", async () => {
  const recorded = await cli(["stats", ids.v1 as string], dir);
  assert.equal(recorded.code, 0, recorded.stderr);
  assert.match(recorded.stdout, new RegExp(`recorded by statistics artifact ${ids.v1stats}`));
  assert.match(recorded.stdout, /NUMERIC FEATURE +TYPE +COUNT +MISSING +MEAN/);
  assert.match(recorded.stdout, /weather +200 +0 \(0%\) +3 +3\.335 +sun 67 · rain 67 · fog 66/);

  const stored = await cli(["stats", ids.v2 as string], dir);
  assert.equal(stored.code, 0, stored.stderr);
  assert.match(stored.stdout, /statistics stored with the dataset, counted while it was written/, "no statistics step ran on v2: it carries its own");

  const computed = await cli(["stats", `${ids.v2run}/file_source/dataset`, "--split", "all", "--json", "--pb", join(dir, "v2.pb")], dir);
  assert.equal(computed.code, 0, computed.stderr);
  const stats = JSON.parse(computed.stdout) as DatasetStatistics[];
  assert.equal(stats[0]?.numExamples, 300);
  const weather = stats[0]?.features.find((f) => f.name === "weather");
  assert.deepEqual(weather?.stringStats?.topValues.map((v) => [v.value, v.frequency]), [["sun", 150], ["snow", 150]]);
  const decoded = await decodeStatisticsList(await readFile(join(dir, "v2.pb")));
  assert.equal(decoded[0]?.numExamples, 300);
  assert.deepEqual(decoded[0]?.features.map((f) => f.name), ["count", "day", "temp", "weather"]);

  const bad = await cli(["stats", ids.v1 as string, "--split", "nope"], dir);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /no split "nope"/);
  const notData = await cli(["stats", ids.v1stats as string], dir);
  assert.equal(notData.code, 2);
  assert.match(notData.stderr, /is a statistics artifact, not a dataset/);
});

test("koan stats computes statistics now for a dataset ingested without them", async () => {
  const { dir: own, cleanup: done } = await tempDir();
  try {
    const file = join(own, "w.csv");
    await writeFile(file, csv(40, (i) => (i % 4 ? "sun" : "hail")));
    const k = await Koan.open({ dir: own, init: true });
    let id: string;
    try {
      const r = await k.run(pipeline({ name: "bare", build: () => void fileSource(undefined, { params: { path: file, statistics: false } }) }));
      id = r.outputs.file_source?.dataset?.id as string;
    } finally {
      await k.close();
    }
    const out = await cli(["stats", id], own);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /statistics computed now: no statistics step recorded any and none are stored with the dataset/);
    assert.match(out.stdout, /weather +40 +0 \(0%\) +2 .*sun 30 · hail 10/);
  } finally {
    await done();
  }
});

test("koan schema prints the recorded or inferred schema as a table, JSON or schema.pbtxt", async () => {
  const table = await cli(["schema", ids.v1 as string], dir);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /recorded by schema artifact/);
  assert.match(table.stdout, /weather +BYTES +required +1 +3 values: fog, rain, sun/);
  const inferred = await cli(["schema", ids.v2 as string, "--pbtxt"], dir);
  const schema = parseSchemaText(inferred.stdout);
  assert.deepEqual(schema.feature.map((f) => [f.name, f.type]), [["count", "INT"], ["day", "INT"], ["temp", "FLOAT"], ["weather", "BYTES"]]);
  const json = JSON.parse((await cli(["schema", ids.v2 as string, "--json"], dir)).stdout) as { feature: unknown[] };
  assert.equal(json.feature.length, 4);
});

test("koan validate: exit 0 when clean, 1 on anomalies; --against a dataset reports drift with thresholds from flags", async () => {
  const clean = await cli(["validate", ids.v1 as string], dir);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /split "all": no anomalies/);

  const drift = await cli(["validate", ids.v2 as string, "--against", ids.v1 as string, "--json"], dir);
  assert.equal(drift.code, 1, drift.stderr);
  const report = JSON.parse(drift.stdout) as { anomalies: number; splits: { anomalies: { feature: string; code: string }[]; drift: { feature: string; type: string; value: number; threshold: number }[] }[] };
  const codes = report.splits[0]?.anomalies.map((a) => `${a.feature}:${a.code}`);
  assert.ok(codes?.includes("weather:ENUM_TYPE_UNEXPECTED_STRING_VALUES"), String(codes));
  assert.ok(codes?.includes("weather:COMPARATOR_L_INFTY_HIGH"), String(codes));
  const measures = new Map(report.splits[0]?.drift.map((m) => [m.feature, m] as const));
  assert.equal(measures.get("weather")?.type, "L_INFTY");
  assert.equal(measures.get("temp")?.type, "JENSEN_SHANNON_DIVERGENCE");
  assert.equal(measures.get("weather")?.threshold, 0.1);

  const loose = await cli(["validate", ids.v2 as string, "--against", ids.v1 as string, "--linf", "1", "--json"], dir);
  const looseCodes = (JSON.parse(loose.stdout) as typeof report).splits[0]?.anomalies.map((a) => a.code);
  assert.ok(!looseCodes?.includes("COMPARATOR_L_INFTY_HIGH"));
  const text = await cli(["validate", ids.v2 as string, "--against", ids.v1 as string], dir);
  assert.match(text.stdout, /weather +L-infinity +0\.\d+ +0\.1 +DRIFT/);

  const pinned = join(dir, "schema.pbtxt");
  await writeFile(pinned, 'feature { name: "temp" type: FLOAT presence { min_fraction: 1.0 min_count: 1 } }\nfeature { name: "humidity" type: FLOAT presence { min_fraction: 1.0 min_count: 1 } }\n');
  const missing = await cli(["validate", ids.v1 as string, "--against", pinned], dir);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /humidity: SCHEMA_MISSING_COLUMN/);
  assert.match(missing.stdout, /weather: SCHEMA_NEW_COLUMN/);
  const badFlag = await cli(["validate", ids.v1 as string, "--jsd", "2"], dir);
  assert.equal(badFlag.code, 2);
});

test("koan sample prints the first rows as a table or JSON", async () => {
  const json = await cli(["sample", ids.v1 as string, "-n", "2", "--json"], dir);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [{ count: 0, day: 0, temp: 0.5, weather: "sun" }, { count: 1, day: 1, temp: 1.5, weather: "rain" }]);
  const table = await cli(["sample", ids.rows as string], dir);
  assert.match(table.stdout, /split "all": 2 of 2 rows/);
  assert.match(table.stdout, /^A\n1\n2$/m);
});
