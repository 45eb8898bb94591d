import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { isKoanError } from "../../src/core/errors.js";
import { ShardedTFRecordWriter } from "../../src/data/tfrecord/sharded-writer.js";
import { parseShardFileName, shardFileName, shardFileNames } from "../../src/data/tfrecord/shards.js";
import { parseFramesIndependently, pseudoRandomBytes, withTempDir } from "./shared.js";

test("shard names follow TensorFlow's -NNNNN-of-NNNNN convention and parse back", () => {
  assert.equal(shardFileName("data", 3, 8, ".tfrecord.gz"), "data-00003-of-00008.tfrecord.gz");
  assert.deepEqual(shardFileNames("part", 2), ["part-00000-of-00002", "part-00001-of-00002"]);
  assert.deepEqual(parseShardFileName("data_tfrecord-00000-of-00012.gz"), {
    prefix: "data_tfrecord",
    index: 0,
    count: 12,
    suffix: ".gz",
  });
  assert.deepEqual(parseShardFileName(shardFileName("a-b", 99_999, 100_000, ".x")), {
    prefix: "a-b",
    index: 99_999,
    count: 100_000,
    suffix: ".x",
  });
  assert.equal(parseShardFileName("data-00008-of-00008.gz"), undefined);
  assert.equal(parseShardFileName("data.tfrecord"), undefined);
  assert.throws(() => shardFileName("d", 8, 8), (e) => isKoanError(e, "USAGE"));
  assert.throws(() => shardFileName("d", 0, 0), (e) => isKoanError(e, "USAGE"));
});

test("the sharded writer distributes round-robin, deterministically, and writes every shard", async () => {
  await withTempDir(async (dir) => {
    const records = Array.from({ length: 10 }, (_, i) => pseudoRandomBytes(10 + i, i + 1));
    const write = async (sub: string): Promise<readonly string[]> => {
      const writer = await ShardedTFRecordWriter.open({ directory: join(dir, sub), shardCount: 4 });
      for (const r of records) await writer.write(r);
      assert.equal(writer.recordCount, 10);
      return writer.close();
    };
    const paths = await write("a");
    assert.deepEqual(await readdir(join(dir, "a")), [
      "data-00000-of-00004.tfrecord.gz",
      "data-00001-of-00004.tfrecord.gz",
      "data-00002-of-00004.tfrecord.gz",
      "data-00003-of-00004.tfrecord.gz",
    ]);
    for (let shard = 0; shard < 4; shard++) {
      const got = parseFramesIndependently(new Uint8Array(gunzipSync(await readFile(paths[shard]))));
      assert.deepEqual(got, records.filter((_, i) => i % 4 === shard));
    }
    const again = await write("b");
    for (let shard = 0; shard < 4; shard++) {
      assert.deepEqual(await readFile(again[shard]), await readFile(paths[shard]));
    }
  });
});

test("an aborted sharded writer leaves no files", async () => {
  await withTempDir(async (dir) => {
    const writer = await ShardedTFRecordWriter.open({ directory: dir, shardCount: 3, compression: "none" });
    await writer.write(new Uint8Array(5));
    await writer.abort();
    assert.deepEqual(await readdir(dir), []);
    assert.equal(writer.paths[0], join(dir, "data-00000-of-00003.tfrecord"));
  });
});

test("a shard that cannot be published fails the close and leaves no shard behind", async () => {
  await withTempDir(async (dir) => {
    const writer = await ShardedTFRecordWriter.open({ directory: dir, shardCount: 4, compression: "none" });
    for (let i = 0; i < 8; i++) await writer.write(new Uint8Array([i]));
    // A non-empty folder where shard 2 is to be renamed: its rename fails, the other shards' succeed.
    await mkdir(join(writer.paths[2] as string, "x"), { recursive: true });
    await assert.rejects(writer.close(), (e: NodeJS.ErrnoException) => e.code === "EISDIR" || e.code === "ENOTEMPTY" || e.code === "EEXIST");
    assert.deepEqual(await readdir(dir), ["data-00002-of-00004.tfrecord"]); // only the folder that blocked it
    assert.deepEqual(await readdir(writer.paths[2] as string), ["x"]);
  });
});
