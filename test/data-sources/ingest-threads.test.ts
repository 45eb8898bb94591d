/**
 * Datasets written by threads (each owning some shards), or with a thread counting the numeric columns'
 * statistics, are byte for byte those written by one thread: shards, statistics and manifest; a failing thread fails the write and leaves nothing behind; the thread count is a
 * setting that never changes content.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { DatasetWriter } from "../../src/data/dataset/writer.js";
import { StatisticsThread } from "../../src/data/dataset/stats-thread.js";
import { StatisticsAccumulator } from "../../src/data/stats/accumulator.js";
import type { NumericStatsColumn } from "../../src/data/stats/columns.js";
import type { ColumnChunk } from "../../src/data/dataset/column-chunk.js";
import type { RowEncoderColumn } from "../../src/data/example/row-encoder.js";
import { ingestStatisticsThread, ingestThreads } from "../../src/steps/sources/table-dataset.js";
import { tempDir } from "../helpers.js";

const COLUMNS: RowEncoderColumn[] = [
  { name: "x", kind: "float" },
  { name: "big", kind: "int64" },
  { name: "word", kind: "bytes" },
  { name: "code", kind: "bytes" },
];
const WORDS = ["alpha", "é", "日本語", "", "a very long value over twelve bytes", "🙂"];

/** A deterministic chunk of `rows` rows starting at row `from`: NULLs, ints past 2^53, UTF-8 and many distinct codes. */
function chunk(from: number, rows: number): ColumnChunk {
  const x = new Float64Array(rows);
  const xValid = new Uint8Array(rows);
  const words = new Int32Array(rows * 2);
  const numbers = new Float64Array(rows);
  const bigValid = new Uint8Array(rows);
  const word: (string | null)[] = [];
  const code: (string | null)[] = [];
  for (let r = 0; r < rows; r++) {
    const i = from + r;
    xValid[r] = i % 13 === 0 ? 0 : 1;
    x[r] = ((i * 7919) % 1000) / 7;
    const v = i % 17 === 0 ? 2n ** 53n + 1n : BigInt(((i * 31) % 977) - 400);
    bigValid[r] = i % 19 === 0 ? 0 : 1;
    words[2 * r] = Number(BigInt.asIntN(32, v));
    words[2 * r + 1] = Number(BigInt.asIntN(64, v) >> 32n);
    numbers[r] = Number(v);
    word.push(i % 23 === 0 ? null : Buffer.from(WORDS[i % WORDS.length] as string).toString("latin1"));
    code.push(`C${i}`);
  }
  return {
    rows,
    columns: [
      { data: { kind: "float", values: x, valid: xValid }, stats: { name: "x", kind: "float", values: x, valid: xValid } },
      { data: { kind: "int64", words, valid: bigValid }, stats: { name: "big", kind: "int64", values: numbers, valid: bigValid } },
      { data: { kind: "bytes", keys: word }, stats: { name: "word", kind: "bytes", keys: word, utf8: true } },
      { data: { kind: "bytes", keys: code }, stats: { name: "code", kind: "bytes", keys: code, utf8: true } },
    ],
  };
}

/** Every file under `dir` with its bytes, by relative path. */
async function files(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), await readFile(join(e.parentPath, e.name)));
  }
  return out;
}

async function writeWith(folder: string, threads: number, statisticsThread = false): Promise<void> {
  const w = await DatasetWriter.create(folder, { splits: ["train", "eval"], shards: { train: 5, eval: 1 }, columns: COLUMNS, threads, statistics: true, statisticsThread });
  let row = 0;
  for (const size of [1000, 2048, 1, 3000, 777]) {
    if (w.appendColumns("train", chunk(row, size))) await w.drained();
    if (w.appendColumns("eval", chunk(row + 1, Math.min(size, 300)))) await w.drained();
    row += size;
  }
  await w.close();
}

test("a dataset written by 1, 2 or 3 threads, or with a statistics thread, is the same, file for file and byte for byte", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await writeWith(join(dir, "t1"), 1);
    const one = await files(join(dir, "t1"));
    assert.deepEqual([...one.keys()].sort(), ["dataset.json", "eval/data-00000-of-00001.tfrecord.gz", "statistics.json", ...[0, 1, 2, 3, 4].map((s) => `train/data-0000${s}-of-00005.tfrecord.gz`)]);
    for (const [label, threads, statisticsThread] of [["2 threads", 2, false], ["3 threads", 3, false], ["a statistics thread", 1, true]] as const) {
      await writeWith(join(dir, label), threads, statisticsThread);
      const many = await files(join(dir, label));
      assert.deepEqual([...many.keys()].sort(), [...one.keys()].sort(), `files with ${label}`);
      for (const [name, bytes] of one) assert.ok(bytes.equals(many.get(name) as Buffer), `${name} differs with ${label}`);
    }
    const manifest = JSON.parse(one.get("dataset.json")?.toString() ?? "{}") as { splits: { train: { rows: number } }; statistics: string };
    assert.equal(manifest.splits.train.rows, 6826);
    assert.equal(manifest.statistics, "statistics.json");
  } finally {
    await cleanup();
  }
});

test("with a statistics thread, a split of string columns only gets the same statistics (the thread counts its rows)", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const strings = COLUMNS.filter((c) => c.kind === "bytes");
    const write = async (folder: string, statisticsThread: boolean): Promise<Buffer> => {
      const w = await DatasetWriter.create(folder, { splits: ["all"], shards: 3, columns: strings, statistics: true, statisticsThread });
      for (const [from, rows] of [[0, 700], [700, 2048]] as const) {
        const c = chunk(from, rows);
        if (w.appendColumns("all", { rows, columns: c.columns.filter((col) => col.data.kind === "bytes") })) await w.drained();
      }
      await w.close();
      return readFile(join(folder, "statistics.json"));
    };
    const plain = await write(join(dir, "plain"), false);
    const threaded = await write(join(dir, "threaded"), true);
    assert.ok(plain.equals(threaded), "statistics.json differs with a statistics thread");
    assert.match(plain.toString(), /"code"/);
  } finally {
    await cleanup();
  }
});

test("a statistics thread counts what accumulators on this thread count: batches of many chunks, a chunk larger than a batch, columns that change", async () => {
  const shards = 3;
  const here = Array.from({ length: shards }, () => new StatisticsAccumulator());
  const thread = StatisticsThread.open(shards, {});
  try {
    let row = 0;
    for (const [i, size] of [2048, 5000, 1, 20000, 7000, 2048, 3].entries()) {
      const c = chunk(row, size);
      // From the sixth chunk on, "big" is left out: the thread sends its batch and starts one of other columns.
      const numeric = c.columns
        .map((col) => col.stats)
        .filter((col): col is NumericStatsColumn => col.kind !== "bytes" && (i < 5 || col.name !== "big"))
        .map((col) => (i % 2 === 1 && col.name === "x" ? { ...col, valid: null } : col)); // batches that mix NULL-free and other chunks
      thread.add(numeric, size);
      here.forEach((acc, s) => acc.addColumns(numeric, size, (((s - row) % shards) + shards) % shards, shards));
      row += size;
      await thread.drained();
    }
    const counted = await thread.close();
    assert.deepEqual(counted.toJSON(), StatisticsAccumulator.mergeAll(here).toJSON());
    assert.equal(counted.toJSON().numExamples, row);
  } finally {
    await thread.abort();
  }
});

test("a threaded split takes only column chunks, and the writer needs its columns", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    await assert.rejects(DatasetWriter.create(join(dir, "a"), { splits: ["all"], shards: 2, threads: 2 }), /needs its columns/);
    await assert.rejects(DatasetWriter.create(join(dir, "b"), { splits: ["all"], shards: 2, threads: 0, columns: COLUMNS }), /threads must be a positive integer/);
    const w = await DatasetWriter.create(join(dir, "c"), { splits: ["all"], shards: 2, threads: 2, columns: COLUMNS });
    await assert.rejects(w.write("all", { x: 1 }), /written by threads: add its rows with appendColumns/);
    assert.throws(() => w.appendEncoded("all", new Uint8Array(2)), /written by threads/);
    assert.throws(() => w.appendColumns("all", { rows: 1, columns: [] }), /a chunk of 0 columns was given to a writer of 4/);
    await w.abort();
    await assert.rejects(stat(join(dir, "c")), { code: "ENOENT" });
  } finally {
    await cleanup();
  }
});

test("a thread that cannot write fails the dataset, and aborting leaves nothing behind", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const folder = join(dir, "ds");
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "all"), "not a folder"); // the split's folder cannot be made
    const w = await DatasetWriter.create(folder, { splits: ["all"], shards: 4, threads: 2, columns: COLUMNS });
    const failed = (async () => {
      for (let i = 0; i < 20; i++) if (w.appendColumns("all", chunk(i * 100, 100))) await w.drained();
      await w.close();
    })();
    await assert.rejects(failed, (e: Error & { code?: string }) => /ENOTDIR|EEXIST|not a directory|file already exists/i.test(e.message));
    await w.abort();
    await assert.rejects(stat(folder), { code: "ENOENT" });
  } finally {
    await cleanup();
  }
});

test("a writer with a statistics thread keeps appending while the thread is behind, and aborting stops it and leaves nothing", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const folder = join(dir, "ds");
    const w = await DatasetWriter.create(folder, { splits: ["all"], shards: 3, columns: COLUMNS, statistics: true, statisticsThread: true });
    let behind = 0;
    for (let i = 0; i < 40; i++) {
      if (w.appendColumns("all", chunk(i * 4096, 4096))) {
        behind++;
        await w.drained();
      }
    }
    assert.ok(behind > 0, "the writer said it was ahead of its statistics thread at least once");
    await w.abort();
    await assert.rejects(stat(folder), { code: "ENOENT" });
  } finally {
    await cleanup();
  }
});

test("a writer whose close fails stops its statistics thread: the process exits without an abort", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const script = join(dir, "close-fails.mjs");
    const writerModule = fileURLToPath(new URL("../../src/data/dataset/writer.js", import.meta.url));
    await writeFile(
      script,
      `import { rm } from "node:fs/promises";
import { DatasetWriter } from ${JSON.stringify(writerModule)};
const folder = ${JSON.stringify(join(dir, "ds"))};
const w = await DatasetWriter.create(folder, { splits: ["all"], shards: 2, columns: [{ name: "x", kind: "float" }], statistics: true, statisticsThread: true });
const x = Float64Array.from({ length: 100 }, (_, i) => i);
for (let i = 0; i < 5; i++) if (w.appendColumns("all", { rows: 100, columns: [{ data: { kind: "float", values: x, valid: null }, stats: { name: "x", kind: "float", values: x, valid: null } }] })) await w.drained();
await rm(folder + "/all", { recursive: true, force: true }); // the shards cannot be renamed into place
await w.close().then(() => console.log("closed"), (e) => console.log("failed: " + e.code));`,
    );
    // A thread left running would keep the process alive until the timeout kills it.
    const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
    assert.match(stdout, /failed: ENOENT/);
  } finally {
    await cleanup();
  }
});

test("ingestStatisticsThread: on for large sources written by one thread, KOAN_STATS_THREAD overrides, bad values are refused", () => {
  const before = process.env.KOAN_STATS_THREAD;
  try {
    delete process.env.KOAN_STATS_THREAD;
    assert.equal(ingestStatisticsThread(1000, 1), false);
    assert.equal(ingestStatisticsThread(1 << 30, 1), true);
    assert.equal(ingestStatisticsThread(1 << 30, 2), false, "shard-writing threads count their own statistics");
    process.env.KOAN_STATS_THREAD = "1";
    assert.equal(ingestStatisticsThread(1000, 1), true);
    process.env.KOAN_STATS_THREAD = "0";
    assert.equal(ingestStatisticsThread(1 << 30, 1), false);
    process.env.KOAN_STATS_THREAD = "yes";
    assert.throws(() => ingestStatisticsThread(1000, 1), /KOAN_STATS_THREAD must be 0 or 1, got "yes"/);
  } finally {
    if (before === undefined) delete process.env.KOAN_STATS_THREAD;
    else process.env.KOAN_STATS_THREAD = before;
  }
});

test("ingestThreads: one thread for small sources, KOAN_INGEST_THREADS overrides, bad values are refused", async () => {
  const before = process.env.KOAN_INGEST_THREADS;
  try {
    delete process.env.KOAN_INGEST_THREADS;
    assert.equal(ingestThreads(1000), 1);
    assert.ok(ingestThreads(1 << 30) >= 1);
    process.env.KOAN_INGEST_THREADS = "3";
    assert.equal(ingestThreads(1000), 3);
    process.env.KOAN_INGEST_THREADS = "two";
    assert.throws(() => ingestThreads(1000), /KOAN_INGEST_THREADS must be a positive integer, got "two"/);
  } finally {
    if (before === undefined) delete process.env.KOAN_INGEST_THREADS;
    else process.env.KOAN_INGEST_THREADS = before;
  }
});

test("fileSource gives the same dataset artifact with KOAN_INGEST_THREADS=1 and =2, and with KOAN_STATS_THREAD=1", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const csv = join(dir, "data.csv");
    const lines = ["id,x,word"];
    for (let i = 0; i < 5000; i++) lines.push(`${i},${i % 7 === 0 ? "" : (i / 3).toFixed(3)},w${i % 50}`);
    await writeFile(csv, `${lines.join("\n")}\n`);
    const script = join(dir, "ingest.mjs");
    const index = fileURLToPath(new URL("../../src/index.js", import.meta.url));
    await writeFile(
      script,
      `import { Koan, pipeline, fileSource } from ${JSON.stringify(index)};
const koan = await Koan.open({ dir: process.argv[2], init: true });
const r = await koan.run(pipeline({ name: "t", build: () => void fileSource(undefined, { params: { path: ${JSON.stringify(csv)}, shards: 3 } }) }));
if (r.status !== "succeeded") throw r.error;
console.log(r.outputs.file_source.dataset.contentHash);
await koan.close();`,
    );
    const uri = async (threads: string, project: string, statsThread = "0"): Promise<string> => {
      const { stdout } = await promisify(execFile)(process.execPath, [script, join(dir, project)], { env: { ...process.env, KOAN_INGEST_THREADS: threads, KOAN_STATS_THREAD: statsThread } });
      return stdout.trim();
    };
    const one = await uri("1", "p1");
    assert.match(one, /^[0-9a-f]{64}$/);
    assert.equal(await uri("2", "p2"), one);
    assert.equal(await uri("1", "p3", "1"), one);
  } finally {
    await cleanup();
  }
});
