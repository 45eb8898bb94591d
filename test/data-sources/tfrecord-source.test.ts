import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pipeline, tfrecordSource, type TFRecordSourceParams } from "../../src/index.js";
import { readExamples, writeExamples } from "../../src/data/example/files.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import { readTFRecords } from "../../src/data/tfrecord/reader.js";
import { splitOfFile } from "../../src/steps/sources/tfrecord-source.js";
import { SHARED } from "../helpers.js";
import { datasetOf, project, rowsOf } from "./helpers.js";

const TFX = join(SHARED, "fixtures", "tfrecord");
const NO_SHARED = existsSync(TFX) ? false : "../shared/fixtures absent";

const load = (params: TFRecordSourceParams) => pipeline({ name: "tfr", build: () => { tfrecordSource(undefined, { params }); } });

const f = (x: number): Feature => ({ kind: "float", values: Float32Array.of(x) });
const i = (x: number): Feature => ({ kind: "int64", values: BigInt64Array.of(BigInt(x)) });
const s = (x: string): Feature => ({ kind: "bytes", values: [new TextEncoder().encode(x)] });
const emptyFloat: Feature = { kind: "float", values: new Float32Array(0) };

/** TFX-like export: Split-train (2 gzip shards), Split-eval (1 plain file), plus files that are not records. */
async function writeExport(root: string, trainRows = 5): Promise<void> {
  const train: Example[] = [];
  for (let k = 0; k < trainRows; k++) train.push(new Map([["x", k === 0 ? emptyFloat : f(k + 0.5)], ["id", i(k)], ["tag", s(`t${k}`)]]));
  await writeExamples(join(root, "Split-train", "data_tfrecord-00000-of-00002.gz"), train.filter((_, k) => k % 2 === 0), { emptyFeatures: "untyped" });
  await writeExamples(join(root, "Split-train", "data_tfrecord-00001-of-00002.gz"), train.filter((_, k) => k % 2 === 1), { emptyFeatures: "untyped" });
  await writeExamples(join(root, "Split-eval", "part.tfrecord"), [new Map([["x", f(9)], ["id", i(100)], ["tag", s("e")]])]);
  await mkdir(join(root, "statistics", "Split-train"), { recursive: true });
  await writeFile(join(root, "statistics", "Split-train", "FeatureStats.pb"), "not records");
  await writeFile(join(root, "schema.pbtxt"), 'feature { name: "x" type: FLOAT }\nfeature { name: "id" type: INT }\nfeature { name: "tag" type: BYTES }\n');
}

test("TFX-style folders become splits; kinds are inferred across kind-less empty values; rows are kept", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const root = join(dir, "export");
    await writeExport(root);
    const ds = await datasetOf(koan, await koan.run(load({ paths: [root] })), "tfrecord_source");
    assert.deepEqual(ds.splits, ["eval", "train"]);
    assert.deepEqual(ds.features, { id: "int64", tag: "bytes", x: "float" });
    assert.equal(ds.rowCount("train"), 5);
    assert.equal(ds.rowCount("eval"), 1);
    assert.equal((await ds.shardPaths("train")).length, 2, "one output shard per input file");
    const rows = await rowsOf(ds, "train");
    // files in name order (shard 0: rows 0, 2, 4; shard 1: rows 1, 3), re-written round-robin over 2 shards
    assert.deepEqual(rows.map((r) => r.id).sort(), [0, 1, 2, 3, 4]);
    const first = rows.find((r) => r.id === 0);
    assert.equal(first?.x, null, "a kind-less empty value stays an empty value");
    for (const ex of [await ds.examples("train").next()]) assert.equal(ex.value?.get("x")?.kind, "float", "and it gets the inferred kind");
    assert.equal(rows.find((r) => r.id === 3)?.tag, "t3");
    assert.equal(ds.manifest.source?.kind, "tfrecord");
    assert.equal(await ds.schema(), undefined);
  } finally {
    await cleanup();
  }
});

test("a schema gives the kinds and is attached; explicit splits and globs pick files", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const root = join(dir, "export");
    await writeExport(root);
    const ds = await datasetOf(
      koan,
      await koan.run(load({ splits: { fit: [join(root, "Split-train", "*.gz")], holdout: [join(root, "**", "*.tfrecord")] }, schema: join(root, "schema.pbtxt"), shards: 1 })),
      "tfrecord_source",
    );
    assert.deepEqual(ds.splits, ["fit", "holdout"]);
    assert.equal(ds.rowCount("fit"), 5);
    assert.equal(ds.rowCount("holdout"), 1);
    assert.deepEqual((await ds.schema())?.feature.map((x) => [x.name, x.type]), [["x", "FLOAT"], ["id", "INT"], ["tag", "BYTES"]]);

    await writeFile(join(root, "bad.pbtxt"), 'feature { name: "id" type: FLOAT }\n');
    const wrong = await koan.run(load({ paths: [join(root, "Split-eval")], schema: join(root, "bad.pbtxt") }));
    assert.equal(wrong.status, "failed");
    assert.match(wrong.error?.message ?? "", /part\.tfrecord: record 0: feature "id" holds int64 values but the schema says float/);
  } finally {
    await cleanup();
  }
});

test("unchanged files are a cache hit, changed files a new version; a corrupt record fails naming file and byte offset and commits nothing", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const root = join(dir, "export");
    await writeExport(root);
    const p = load({ paths: [root] });
    const first = await koan.run(p);
    const v1 = await datasetOf(koan, first, "tfrecord_source");
    assert.equal((await koan.run(p)).steps[0]?.cacheHit, true);
    await writeExport(root, 7);
    const second = await koan.run(p);
    assert.equal(second.steps[0]?.cacheHit, false);
    assert.equal((await datasetOf(koan, second, "tfrecord_source")).rowCount("train"), 7);

    // Flip one byte in the data of the second record of the uncompressed eval file.
    const file = join(root, "Split-eval", "part.tfrecord");
    await writeExamples(file, [new Map([["id", i(1)]]), new Map([["id", i(2)]]), new Map([["id", i(3)]])]);
    const offsets: number[] = [];
    const reader = readTFRecords(file);
    for await (const _ of reader) offsets.push(reader.recordOffset);
    const bytes = await readFile(file);
    bytes[(offsets[1] as number) + 12 + 2] ^= 0xff;
    await writeFile(file, bytes);
    const broken = await koan.run(p);
    assert.equal(broken.status, "failed");
    assert.match(broken.error?.message ?? "", new RegExp(`part\\.tfrecord: corrupt record at byte offset ${offsets[1]} \\(record 1`));
    assert.equal(broken.outputs.tfrecord_source, undefined, "nothing is committed");
    assert.equal(((await koan.load(first.outputs.tfrecord_source?.dataset as never)) as typeof v1).rowCount("train"), 5, "the previous version is intact");

    await writeFile(join(dir, "junk.tfrecord"), "this is not a TFRecord file at all");
    const junk = await koan.run(load({ paths: [join(dir, "junk.tfrecord")] }));
    assert.match(junk.error?.message ?? "", /junk\.tfrecord: not a TFRecord file/);
    const none = await koan.run(load({ paths: [join(dir, "nothing", "*.tfrecord")] }));
    assert.match(none.error?.message ?? "", /matches no files/);
  } finally {
    await cleanup();
  }
});

test("split names come from Split-<name> folders, then the first subfolder, else the default", () => {
  assert.equal(splitOfFile({ root: "/x/export", path: "/x/export/Split-train/a.gz" }, "all"), "train");
  assert.equal(splitOfFile({ root: "/x/export/Split-eval", path: "/x/export/Split-eval/a.gz" }, "all"), "eval");
  assert.equal(splitOfFile({ root: "/x/iris", path: "/x/iris/train/a.gz" }, "all"), "train");
  assert.equal(splitOfFile({ root: "/x/data", path: "/x/data/a.tfrecord" }, "all"), "all");
});

test("TFX's own files: taxi (24 shards, schema), iris (train/ eval/ folders) and penguins read with every record", { skip: NO_SHARED }, async () => {
  const { koan, cleanup } = await project();
  try {
    const taxi = join(TFX, "tfx_taxi_csv_example_gen");
    const ds = await datasetOf(koan, await koan.run(load({ paths: [taxi], schema: join(taxi, "schema.pbtxt") })), "tfrecord_source");
    assert.deepEqual(ds.splits, ["eval", "train"]);
    for (const split of ds.splits) {
      let direct = 0;
      for (let k = 0; k < 12; k++) {
        for await (const _ of readExamples(join(taxi, `Split-${split}`, `data_tfrecord-${String(k).padStart(5, "0")}-of-00012.gz`))) direct++;
      }
      assert.equal(ds.rowCount(split), direct, split);
    }
    assert.equal(ds.features.fare, "float");
    assert.equal(ds.features.trip_start_hour, "int64");
    assert.ok(await ds.schema());

    const iris = await datasetOf(koan, await koan.run(load({ paths: [join(TFX, "tfx_iris")] })), "tfrecord_source");
    assert.deepEqual(iris.splits, ["eval", "train"]);
    assert.ok(iris.rowCount("train") > 0 && iris.rowCount("eval") > 0);

    const penguin = await datasetOf(koan, await koan.run(load({ paths: [join(TFX, "tfx_penguin", "Split-train")] })), "tfrecord_source");
    assert.deepEqual(penguin.splits, ["train"]);
    assert.equal(penguin.features.species, "int64");
  } finally {
    await cleanup();
  }
});
