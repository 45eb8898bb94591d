import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Koan, pipeline, fileSource, rowsSource, statistics, schemaGen, validate, Dataset, type RunResult } from "../../src/index.js";
import { openDuckDb, sqlString } from "../../src/steps/sources/duckdb.js";
import { tempDir } from "../helpers.js";

const weatherCsv = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "seattle-weather.csv");

async function project() {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  return { dir, koan, cleanup: async () => { await koan.close(); await cleanup(); } };
}

const load = (path: string, extra: Record<string, unknown> = {}) => pipeline({ name: "load", build: () => { fileSource(undefined, { params: { path, ...extra } }); } });

async function datasetOf(koan: Koan, r: RunResult, step = "file_source"): Promise<Dataset> {
  assert.equal(r.status, "succeeded", r.error?.message);
  return (await koan.load(r.outputs[step]?.dataset as never)) as Dataset;
}

test("a CSV becomes a sharded TFRecord dataset with inferred kinds, row for row", async () => {
  const { koan, cleanup } = await project();
  try {
    const ds = await datasetOf(koan, await koan.run(load(weatherCsv, { shards: 3 })));
    assert.deepEqual(ds.splits, ["all"]);
    assert.equal(ds.rowCount("all"), 1461);
    assert.deepEqual(ds.features, { date: "bytes", precipitation: "float", temp_max: "float", temp_min: "float", weather: "bytes", wind: "float" });
    assert.equal((await ds.shardPaths("all")).length, 3);
    const lines = (await readFile(weatherCsv, "utf8")).trim().split("\n").slice(1).map((l) => l.split(","));
    const rows = [];
    for await (const r of ds.rows("all")) rows.push(r);
    // Round-robin shards: shard k holds rows k, k+3, ...; reading shard by shard gives that order.
    const order = [0, 1, 2].flatMap((k) => lines.map((_, i) => i).filter((i) => i % 3 === k));
    assert.equal(rows.length, lines.length);
    rows.forEach((row, j) => {
      const src = lines[order[j] as number] as string[];
      assert.equal(row.date, src[0]);
      assert.equal(row.precipitation, Math.fround(Number(src[1])));
      assert.equal(row.weather, src[5]);
    });
    const batch = (await ds.batches("all", 100).next()).value;
    assert.equal(batch?.length, 100);
    assert.ok(batch?.columns.temp_max?.kind === "float" && batch.columns.temp_max.values instanceof Float32Array);
    assert.equal((await ds.sample("all", 2)).length, 2);
  } finally {
    await cleanup();
  }
});

test("an unchanged file is a cache hit; a changed file is a new dataset version; the old one stays intact", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const file = join(dir, "data.csv");
    await writeFile(file, "x,label\n1,a\n2,b\nNA,c\n");
    const first = await koan.run(load(file));
    const v1 = await datasetOf(koan, first);
    assert.deepEqual(await v1.sample("all", 3, { int64: "number" }), [{ x: 1, label: "a" }, { x: 2, label: "b" }, { x: null, label: "c" }]);
    assert.equal((await koan.run(load(file))).steps[0]?.cacheHit, true);
    await writeFile(file, "x,label\n1,a\n2,b\n3,c\n4,d\n");
    const second = await koan.run(load(file));
    assert.equal(second.steps[0]?.cacheHit, false);
    assert.equal((await datasetOf(koan, second)).rowCount(), 4);
    await writeFile(file, 'x,label\n1,"a\n');
    const broken = await koan.run(load(file));
    assert.equal(broken.status, "failed");
    assert.equal(broken.outputs.file_source, undefined, "a failed source commits nothing");
    assert.equal(((await koan.load(first.outputs.file_source?.dataset as never)) as Dataset).rowCount(), 3, "the previous version is intact");
  } finally {
    await cleanup();
  }
});

test("malformed and empty files fail with the file, the line and the reason", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const cases: [string, string | Buffer, RegExp, Record<string, unknown>?][] = [
      ["unterminated.csv", 'a,b\n1,2\n3,"open\n4,5\n', /unterminated\.csv line \d+:/],
      ["fields.csv", "a,b\n1,2\n3,4,5\n6,7\n", /fields\.csv line 3: .*Expected Number of Columns: 2 Found: 3/],
      ["utf8.csv", Buffer.concat([Buffer.from("a,b\n1,"), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]), /utf8\.csv line 2: .*(unicode|utf-8)/i],
      ["empty.csv", "", /empty\.csv is empty/],
      ["header.csv", "a,b\n", /header\.csv has a header but no rows/],
      ["declared.csv", "a,b\n1,2\n", /column "c" of the declared schema is not in .*declared\.csv/, { columns: { c: "float" } }],
      ["typed.csv", "a,b\n1,2\nx,3\n", /typed\.csv line 3: .*(convert|Could not)/i, { columns: { a: "float" } }],
      ["missing.csv", "", /missing\.csv: no such file/],
    ];
    for (const [name, content, why, extra] of cases) {
      const file = join(dir, name);
      if (name !== "missing.csv") await writeFile(file, content);
      const r = await koan.run(load(file, extra ?? {}));
      assert.equal(r.status, "failed", name);
      assert.match(r.error?.message ?? "", why, `${name}: ${r.error?.message}`);
      assert.equal(r.outputs.file_source, undefined);
    }
  } finally {
    await cleanup();
  }
});

test("JSON Lines and Parquet files are read through DuckDB too", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const jsonl = join(dir, "rows.jsonl");
    await writeFile(jsonl, '{"id": 1, "score": 0.5, "tag": "x"}\n{"id": 2, "score": null, "tag": "y"}\n');
    const a = await datasetOf(koan, await koan.run(load(jsonl)));
    assert.deepEqual(a.features, { id: "int64", score: "float", tag: "bytes" });
    assert.deepEqual(await a.sample("all", 5, { int64: "number" }), [{ id: 1, score: 0.5, tag: "x" }, { id: 2, score: null, tag: "y" }]);
    const parquet = join(dir, "weather.parquet");
    const duck = await openDuckDb();
    await duck.connection.run(`COPY (SELECT * FROM read_csv(${sqlString(weatherCsv)}) LIMIT 50) TO ${sqlString(parquet)} (FORMAT parquet)`);
    duck.close();
    const b = await datasetOf(koan, await koan.run(load(parquet)));
    assert.equal(b.rowCount(), 50);
    assert.equal(b.features.wind, "float");
  } finally {
    await cleanup();
  }
});

test("statistics, schema inference and validation run as steps over a dataset", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const p = (path: string) =>
      pipeline({
        name: "validate",
        build: () => {
          const { dataset } = fileSource(undefined, { params: { path } });
          const { statistics: stats } = statistics({ dataset });
          const { schema } = schemaGen({ statistics: stats });
          validate({ statistics: stats, schema });
        },
      });
    const r = await koan.run(p(weatherCsv));
    assert.equal(r.status, "succeeded", r.error?.message);
    const stats = (await koan.load(r.outputs.statistics?.statistics as never)) as { name: string; numExamples: number; features: { name: string }[] }[];
    assert.equal(stats[0]?.name, "all");
    assert.equal(stats[0]?.numExamples, 1461);
    assert.deepEqual(stats[0]?.features.map((f) => f.name), ["date", "precipitation", "temp_max", "temp_min", "weather", "wind"]);
    const schema = (await koan.load(r.outputs.schema_gen?.schema as never)) as { feature: { name: string; type: string }[]; stringDomain?: { name: string; value: string[] }[] };
    assert.equal(schema.feature.find((f) => f.name === "wind")?.type, "FLOAT");
    assert.deepEqual((await koan.load(r.outputs.validate?.anomalies as never)) as object, { all: [] });

    const rowsP = pipeline({
      name: "rows",
      build: () => {
        const { dataset } = rowsSource(undefined, { params: { rows: [{ n: 1, c: "a" }, { n: 2, c: "b" }, { n: 3, c: "zzz-new" }], columns: { n: "int64" } } });
        statistics({ dataset });
      },
    });
    const r2 = await koan.run(rowsP);
    assert.equal(r2.status, "succeeded", r2.error?.message);
    void dir;
  } finally {
    await cleanup();
  }
});
