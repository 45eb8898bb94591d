import assert from "node:assert/strict";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { isKoanError, KoanError } from "../../src/core/errors.js";
import { readTFRecords, type TFRecordReadOptions } from "../../src/data/tfrecord/reader.js";
import { TFRecordWriter, type TFRecordWriteOptions } from "../../src/data/tfrecord/writer.js";
import { parseFramesIndependently, pseudoRandomBytes, withTempDir } from "./shared.js";

async function readAll(path: string, options?: TFRecordReadOptions): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const record of readTFRecords(path, options)) out.push(record.slice());
  return out;
}

async function writeAll(path: string, records: Uint8Array[], options?: TFRecordWriteOptions): Promise<void> {
  const writer = await TFRecordWriter.open(path, options);
  for (const record of records) await writer.write(record);
  await writer.close();
}

/** Records of many sizes, including empty and larger than the writer's buffer. */
function sampleRecords(): Uint8Array[] {
  const sizes = [0, 1, 7, 8, 100, 4095, 4096, 70_000, 3, 0, 1 << 17];
  return sizes.map((n, i) => pseudoRandomBytes(n, i + 1));
}

async function expectFormatError(promise: Promise<unknown>, pattern: RegExp): Promise<KoanError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(isKoanError(caught, "FORMAT_INVALID"), `expected a FORMAT_INVALID KoanError, got ${String(caught)}`);
  assert.match((caught as KoanError).message, pattern);
  return caught as KoanError;
}

test("uncompressed: Koan writes TFRecord framing and CRCs that an independent parser accepts, and reads them back", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "a.tfrecord");
    const records = sampleRecords();
    await writeAll(path, records, { bufferBytes: 4096 });
    const bytes = new Uint8Array(await readFile(path));
    assert.deepEqual(parseFramesIndependently(bytes), records);
    assert.equal(bytes.length, records.reduce((n, r) => n + r.length + 16, 0));
    assert.deepEqual(await readAll(path), records);
    // small read chunks: records straddle chunk boundaries
    assert.deepEqual(await readAll(path, { readChunkBytes: 5 }), records);
    assert.deepEqual(await readAll(path, { readChunkBytes: 4099 }), records);
  });
});

test("gzip: chosen from the .gz name, independently gunzipped and parsed, read back by auto-detection", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "b.tfrecord.gz");
    const records = sampleRecords();
    await writeAll(path, records);
    const raw = await readFile(path);
    assert.deepEqual([raw[0], raw[1]], [0x1f, 0x8b]);
    assert.deepEqual(parseFramesIndependently(new Uint8Array(gunzipSync(raw))), records);
    assert.deepEqual(await readAll(path), records);
    assert.deepEqual(await readAll(path, { compression: "gzip", readChunkBytes: 64 }), records);
  });
});

test("batch buffers are reused once the output is done with them: many batches appended without waiting keep every byte", async () => {
  await withTempDir(async (dir) => {
    // 3000 records through 4 KiB batches: hundreds of batches, most appended while earlier ones are still being
    // compressed or written, so reused buffers would show up as wrong bytes if one were recycled too early.
    const records = Array.from({ length: 3000 }, (_, i) => pseudoRandomBytes(1 + ((i * 37) % 900), i + 11));
    for (const name of ["c.tfrecord", "c.tfrecord.gz"]) {
      const path = join(dir, name);
      const writer = await TFRecordWriter.open(path, { bufferBytes: 4096 });
      for (const [i, record] of records.entries()) {
        if (i % 500 === 0) await writer.flush();
        writer.append(record);
      }
      await writer.close();
      const bytes = new Uint8Array(await readFile(path));
      assert.deepEqual(parseFramesIndependently(name.endsWith(".gz") ? new Uint8Array(gunzipSync(bytes)) : bytes), records, name);
    }
  });
});

test("reader accepts gzip produced by another implementation and an empty file", async () => {
  await withTempDir(async (dir) => {
    const plain = join(dir, "plain.tfrecord");
    const records = [new Uint8Array([1, 2, 3]), new Uint8Array(0), pseudoRandomBytes(5000)];
    await writeAll(plain, records, { compression: "none" });
    const other = join(dir, "other.bin");
    await writeFile(other, gzipSync(await readFile(plain), { level: 9 }));
    assert.deepEqual(await readAll(other), records);
    const empty = join(dir, "empty.tfrecord");
    await writeFile(empty, new Uint8Array(0));
    assert.deepEqual(await readAll(empty), []);
  });
});

test("reader reports the offset and index of the record last yielded", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "c.tfrecord");
    await writeAll(path, [new Uint8Array(10), new Uint8Array(3), new Uint8Array(0)]);
    const reader = readTFRecords(path);
    const seen: [number, number][] = [];
    for await (const _ of reader) seen.push([reader.recordIndex, reader.recordOffset]);
    assert.deepEqual(seen, [
      [0, 0],
      [1, 26],
      [2, 45],
    ]);
    assert.throws(() => reader[Symbol.asyncIterator](), (e) => isKoanError(e, "USAGE"));
  });
});

test("a flipped data byte is a data CRC error naming the file and the record's byte offset; verifyDataCrc: false skips it", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "d.tfrecord");
    const records = [pseudoRandomBytes(100, 1), pseudoRandomBytes(50, 2), pseudoRandomBytes(10, 3)];
    await writeAll(path, records);
    const bytes = await readFile(path);
    const second = 116; // 100 + 16
    bytes[second + 12 + 20] ^= 0x01;
    await writeFile(path, bytes);
    const error = await expectFormatError(readAll(path), /data CRC mismatch/);
    assert.ok(error.message.includes(path), error.message);
    assert.match(error.message, /byte offset 116\b/);
    assert.equal(error.details.offset, 116);
    assert.equal(error.details.record, 1);
    const unchecked = await readAll(path, { verifyDataCrc: false });
    assert.equal(unchecked.length, 3);
    assert.notDeepEqual(unchecked[1], records[1]);
    assert.deepEqual(unchecked[2], records[2]);
  });
});

test("a flipped length byte is a length CRC error at that record's offset", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "e.tfrecord");
    await writeAll(path, [new Uint8Array(20), new Uint8Array(20)]);
    const bytes = await readFile(path);
    bytes[36] ^= 0x04; // length of the second record (offset 36)
    await writeFile(path, bytes);
    const error = await expectFormatError(readAll(path), /length CRC mismatch/);
    assert.match(error.message, /byte offset 36\b/);
    assert.ok(error.message.startsWith(path), error.message);
  });
});

test("truncated files: inside a header and inside a record body", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "f.tfrecord");
    await writeAll(path, [new Uint8Array(30), new Uint8Array(30)]);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, 46 + 5));
    await expectFormatError(readAll(path), /truncated record header at byte offset 46: 5 of 12/);
    await writeFile(path, bytes.subarray(0, bytes.length - 1));
    const error = await expectFormatError(readAll(path), /truncated record at byte offset 46\b/);
    assert.equal(error.details.record, 1);
  });
});

test("a file that is not a TFRecord file is rejected at offset 0", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "random.bin");
    await writeFile(path, pseudoRandomBytes(1000, 99));
    await expectFormatError(readAll(path), /not a TFRecord file.*byte offset 0/);
    const text = join(dir, "notes.txt");
    await writeFile(text, "hello, this is not a TFRecord\n".repeat(10));
    await expectFormatError(readAll(text), /not a TFRecord file/);
  });
});

test("gzip option mismatch: gzip read as uncompressed, and uncompressed read as gzip", async () => {
  await withTempDir(async (dir) => {
    const gz = join(dir, "g.tfrecord.gz");
    await writeAll(gz, [new Uint8Array([1, 2, 3])]);
    const e1 = await expectFormatError(readAll(gz, { compression: "none" }), /not a TFRecord file.*gzip magic/);
    assert.match(e1.hint ?? "", /compression "gzip"/);
    const plain = join(dir, "g.tfrecord");
    await writeAll(plain, [new Uint8Array([1, 2, 3])]);
    const e2 = await expectFormatError(readAll(plain, { compression: "gzip" }), /not a gzip file/);
    assert.match(e2.hint ?? "", /compression "none"/);
  });
});

test("a truncated gzip file is a format error", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "h.tfrecord.gz");
    await writeAll(path, Array.from({ length: 50 }, (_, i) => pseudoRandomBytes(1000, i + 1)));
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectFormatError(readAll(path), /(gzip stream|truncated record)/);
  });
});

test("a missing file is NOT_FOUND", async () => {
  await assert.rejects(readAll("/nonexistent/koan/x.tfrecord"), (e) => isKoanError(e, "NOT_FOUND"));
});

test("records longer than maxRecordBytes are rejected before allocation", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "big.tfrecord");
    await writeAll(path, [new Uint8Array(1000)]);
    await expectFormatError(readAll(path, { maxRecordBytes: 999 }), /declares 1000 bytes/);
  });
});

test("the writer is atomic: nothing at the final name before close(), nothing at all after abort()", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "out", "atomic.tfrecord");
    const writer = await TFRecordWriter.open(path);
    await writer.write(new Uint8Array(10));
    assert.deepEqual(
      (await readdir(join(dir, "out"))).filter((n) => n === "atomic.tfrecord"),
      [],
    );
    await writer.close();
    assert.deepEqual(await readdir(join(dir, "out")), ["atomic.tfrecord"]);
    assert.equal(writer.recordCount, 1);
    await assert.rejects(writer.write(new Uint8Array(1)), (e) => isKoanError(e, "USAGE"));

    const aborted = await TFRecordWriter.open(join(dir, "out", "aborted.tfrecord.gz"));
    await aborted.write(new Uint8Array(10));
    await aborted.abort();
    assert.deepEqual(await readdir(join(dir, "out")), ["atomic.tfrecord"]);
  });
});

test("records are written in call order even when writes are not awaited one by one", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "order.tfrecord");
    const writer = await TFRecordWriter.open(path, { bufferBytes: 256 });
    const records = Array.from({ length: 200 }, (_, i) => pseudoRandomBytes(i * 7, i + 1));
    await Promise.all(records.map((r) => writer.write(r)));
    await writer.close();
    assert.deepEqual(parseFramesIndependently(new Uint8Array(await readFile(path))), records);
  });
});

test("breaking out of the iteration early is fine and the file can be read again", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "early.tfrecord.gz");
    await writeAll(path, Array.from({ length: 100 }, (_, i) => pseudoRandomBytes(100, i + 1)));
    let n = 0;
    for await (const _ of readTFRecords(path)) if (++n === 3) break;
    assert.equal(n, 3);
    assert.equal((await readAll(path)).length, 100);
  });
});
