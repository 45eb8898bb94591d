/**
 * Statistics counted while a dataset is written (the table sources' single pass) equal the statistics of reading
 * it back; shards are gzip level 1 and datasets written before (level 6, no stored statistics) still read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { Koan, pipeline, fileSource, statistics, Dataset } from "../../src/index.js";
import { DatasetWriter } from "../../src/data/dataset/writer.js";
import { computeSplitStatistics, datasetStatistics } from "../../src/data/dataset/statistics.js";
import { encodeExample } from "../../src/data/example/encode.js";
import { exampleFromRow } from "../../src/data/example/rows.js";
import { readTFRecords } from "../../src/data/tfrecord/index.js";
import { TFRecordWriter } from "../../src/data/tfrecord/writer.js";
import { tempDir } from "../helpers.js";

/** A CSV exercising every path: NULLs, floats that round as float32, ints past 2^53, short/long/non-ASCII text. */
function csvText(rows: number): string {
  const lines = ["id,x,big,word,note,code"];
  const words = ["alpha", "é", "日本語", "", "x,y", "a very long value over twelve bytes", "🙂"];
  for (let i = 0; i < rows; i++) {
    const x = i % 13 === 0 ? "" : i % 101 === 0 ? "1e300" : ((i * 7919) % 1000 / 7).toFixed(4);
    const big = i % 17 === 0 ? "9007199254740993" : i % 19 === 0 ? "" : String((i * 31) % 977 - 400);
    const word = words[i % words.length] as string;
    const note = i % 11 === 0 ? "NA" : `n${(i * 13) % 4999}`;
    lines.push(`${i},${x},${big},"${word}",${note},C${i}`);
  }
  return `${lines.join("\n")}\n`;
}

test("fileSource stores statistics counted from the column vectors, equal to reading the dataset back", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const csv = join(dir, "data.csv");
    await writeFile(csv, csvText(7000)); // 7000 rows over 3 shards: more than k = 1024 values per shard, and > 3072 distinct codes
    const p = pipeline({
      name: "ingest",
      build: () => {
        const { dataset } = fileSource(undefined, { params: { path: csv, shards: 3 } });
        statistics({ dataset });
      },
    });
    const r = await koan.run(p);
    assert.equal(r.status, "succeeded", r.error?.message);
    const ds = (await koan.load(r.outputs.file_source?.dataset as never)) as Dataset;
    assert.ok(ds.files().includes("statistics.json"), "the stored dataset carries its statistics");
    const stored = await ds.storedStatistics();
    assert.ok(stored);
    const recomputed = JSON.parse(JSON.stringify(await computeSplitStatistics(ds, "all"))) as unknown;
    assert.deepEqual(stored.splits[0], recomputed);
    const viaStep = (await koan.load(r.outputs.statistics?.statistics as never)) as unknown[];
    assert.deepEqual(viaStep, [recomputed]);
    assert.deepEqual((await datasetStatistics(ds, { recompute: true })).statistics, [recomputed]);
    // The numbers are the stored (float32) values: 1e300 became +Infinity, NULLs are present and empty.
    const x = stored.splits[0]?.features.find((f) => f.name === "x");
    assert.equal(x?.numStats?.max, null, "JSON has no Infinity: +Infinity is recorded as null");
    assert.equal(x?.numStats?.commonStats.numNonMissing, 7000);
    assert.equal(x?.numStats?.commonStats.minNumValues, 0);
    const word = stored.splits[0]?.features.find((f) => f.name === "word");
    assert.ok(word?.stringStats?.topValues.some((v) => v.value === "日本語"));
    // Records are exactly encodeExample's of the rows (shard k holds rows k, k+3, ...).
    const shard0 = await ds.shardPaths("all").then((paths) => paths[0] as string);
    let first: Uint8Array | undefined;
    for await (const rec of readTFRecords(shard0)) {
      first = rec.slice();
      break;
    }
    const expected = encodeExample(exampleFromRow({ id: 0n, x: null, big: 9007199254740993n, word: "alpha", note: null, code: "C0" }, { kinds: ds.features }));
    assert.deepEqual(Buffer.from(first as Uint8Array), Buffer.from(expected));
  } finally {
    await koan.close();
    await cleanup();
  }
});

test("fileSource with statistics: false stores no statistics; the statistics step counts the same ones itself", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const csv = join(dir, "data.csv");
    await writeFile(csv, csvText(2500));
    const ingest = (counted: boolean) =>
      pipeline({
        name: counted ? "counted" : "uncounted",
        build: () => {
          const { dataset } = fileSource(undefined, { params: { path: csv, shards: 2, ...(counted ? {} : { statistics: false }) } });
          statistics({ dataset });
        },
      });
    const a = await koan.run(ingest(true));
    const b = await koan.run(ingest(false));
    assert.equal(b.status, "succeeded", b.error?.message);
    const dsA = (await koan.load(a.outputs.file_source?.dataset as never)) as Dataset;
    const dsB = (await koan.load(b.outputs.file_source?.dataset as never)) as Dataset;
    assert.ok(dsA.files().includes("statistics.json"));
    assert.ok(!dsB.files().includes("statistics.json"), "no statistics are stored with the dataset");
    assert.equal(await dsB.storedStatistics(), undefined);
    const shards = async (ds: Dataset): Promise<Buffer[]> => Promise.all((await ds.shardPaths("all")).map((p) => readFile(p)));
    assert.deepEqual(await shards(dsB), await shards(dsA), "the same shards either way");
    const viaStep = await koan.load(b.outputs.statistics?.statistics as never);
    assert.deepEqual(viaStep, await koan.load(a.outputs.statistics?.statistics as never));
  } finally {
    await koan.close();
    await cleanup();
  }
});

test("the same CSV gives byte-identical shards and statistics twice", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const csv = join(dir, "d.csv");
    await writeFile(csv, csvText(3000));
    const load = pipeline({ name: "load", build: () => void fileSource(undefined, { params: { path: csv, shards: 2 } }) });
    const a = await koan.run(load, { cache: false });
    const b = await koan.run(load, { cache: false });
    const files = async (r: typeof a): Promise<Buffer[]> => {
      const ds = (await koan.load(r.outputs.file_source?.dataset as never)) as Dataset;
      return Promise.all(ds.files().map(async (f) => readFile(await ds.localFile(f))));
    };
    assert.deepEqual(await files(a), await files(b));
  } finally {
    await koan.close();
    await cleanup();
  }
});

test("DatasetWriter: statistics of written rows; none when encoded rows were not counted; gzip level 1 shards", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const w = await DatasetWriter.create(join(dir, "a"), { splits: ["train", "eval"], shards: 2, statistics: true });
    for (let i = 0; i < 50; i++) await w.write(i % 5 === 0 ? "eval" : "train", { x: i / 2, label: i % 3 === 0 ? "a" : "b" });
    const ds = await w.close();
    const stored = await ds.storedStatistics();
    assert.deepEqual(stored?.splits.map((s) => [s.name, s.numExamples]), [["train", 40], ["eval", 10]]);
    for (const split of ds.splits) {
      assert.deepEqual(stored?.splits.find((s) => s.name === split), JSON.parse(JSON.stringify(await computeSplitStatistics(ds, split))));
    }
    // gzip level 1: the header's XFL byte is 4 ("fastest"); zlib's default level writes 0.
    const head = await readFile((await ds.shardPaths("train"))[0] as string);
    assert.equal(head[8], 4);

    const w2 = await DatasetWriter.create(join(dir, "b"), { splits: ["all"], statistics: true });
    w2.appendEncoded("all", encodeExample(exampleFromRow({ x: 1 })));
    const ds2 = await w2.close();
    assert.equal(await ds2.storedStatistics(), undefined, "rows without statistics: nothing is stored");
    assert.ok(!ds2.files().includes("statistics.json"));

    const w3 = await DatasetWriter.create(join(dir, "c"), { splits: ["all"], statistics: true });
    w3.appendEncoded("all", encodeExample(exampleFromRow({ x: 1 })));
    assert.throws(() => w3.addColumnStatistics("all", [{ name: "x", kind: "float", values: [1, 2], valid: null }], 2), /cover 0 rows, but these 2 columns start at row -1/);
    await w3.abort();
  } finally {
    await cleanup();
  }
});

test("a dataset written before (gzip level 6, no statistics in its manifest) reads, and its statistics are computed", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const folder = join(dir, "old");
    const w = await DatasetWriter.create(folder, { splits: ["all"], shards: 1 });
    for (let i = 0; i < 20; i++) await w.write("all", { v: i, s: `k${i % 4}` });
    await w.close();
    // Rewrite it as an older Koan did: level-6 shard and a manifest without the statistics field.
    const shard = join(folder, "all", "data-00000-of-00001.tfrecord.gz");
    const records: Uint8Array[] = [];
    for await (const rec of readTFRecords(shard)) records.push(rec.slice());
    await rm(shard);
    const tw = await TFRecordWriter.open(shard, { gzipLevel: 6 });
    for (const rec of records) await tw.write(rec);
    await tw.close();
    assert.equal((await readFile(shard))[8], 0);
    const manifest = JSON.parse(await readFile(join(folder, "dataset.json"), "utf8")) as Record<string, unknown>;
    assert.equal(manifest.statistics, undefined);
    const ds = await Dataset.open(folder);
    assert.equal(await ds.storedStatistics(), undefined);
    const { statistics: stats, stored } = await datasetStatistics(ds);
    assert.equal(stored, false);
    assert.equal(stats[0]?.numExamples, 20);
    const rows = [];
    for await (const row of ds.rows("all", { int64: "number" })) rows.push(row);
    assert.deepEqual(rows[3], { s: "k3", v: 3 });
    assert.ok(gunzipSync(await readFile(shard)).length > 0);
  } finally {
    await cleanup();
  }
});
