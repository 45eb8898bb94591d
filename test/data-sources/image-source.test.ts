import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { imageSource, pipeline, type ImageSourceParams } from "../../src/index.js";
import { crc32 } from "node:zlib";
import { datasetOf, project } from "./helpers.js";

const load = (params: ImageSourceParams) => pipeline({ name: "images", build: () => { imageSource(undefined, { params }); } });

/** A valid 1×1 RGB PNG of one colour. */
function png(r: number, g: number, b: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(Buffer.from([0, r, g, b]))), chunk("IEND", Buffer.alloc(0))]);
}

async function put(path: string, data: Buffer | string): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  await writeFile(path, data);
}

test("images become Examples with their bytes and the folder name as label, in a sorted, deterministic order", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const root = join(dir, "photos");
    const red = png(255, 0, 0);
    await put(join(root, "dog", "b.png"), png(0, 0, 255));
    await put(join(root, "cat", "z.PNG"), red);
    await put(join(root, "cat", "a.jpg"), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    await put(join(root, "cat", "notes.txt"), "ignored");
    await put(join(root, "dog", ".hidden.png"), "ignored");
    const r = await koan.run(load({ path: root }));
    const ds = await datasetOf(koan, r, "image_source");
    assert.deepEqual(ds.splits, ["all"]);
    assert.deepEqual(ds.features, { filename: "bytes", image: "bytes", label: "bytes", label_id: "int64" });
    const rows = [];
    for await (const row of ds.rows("all", { bytes: "bytes", int64: "number" })) rows.push(row);
    const dec = (v: unknown) => new TextDecoder().decode(v as Uint8Array);
    assert.deepEqual(rows.map((x) => [dec(x.filename), dec(x.label), x.label_id]), [["cat/a.jpg", "cat", 0], ["cat/z.PNG", "cat", 0], ["dog/b.png", "dog", 1]]);
    assert.deepEqual(Buffer.from(rows[1]?.image as Uint8Array), red, "the image bytes are stored as they are");
    assert.deepEqual(ds.manifest.source?.labels, ["cat", "dog"]);

    assert.equal((await koan.run(load({ path: root }))).steps[0]?.cacheHit, true, "an unchanged folder is a cache hit");
    await put(join(root, "dog", "c.png"), png(1, 2, 3));
    const again = await koan.run(load({ path: root }));
    assert.equal(again.steps[0]?.cacheHit, false, "a new image is a new version");
    assert.equal((await datasetOf(koan, again, "image_source")).rowCount("all"), 4);
    assert.notEqual(again.outputs.image_source?.dataset?.contentHash, r.outputs.image_source?.dataset?.contentHash);
  } finally {
    await cleanup();
  }
});

test('layout "split/label" gives splits; label ids are shared across splits', async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const root = join(dir, "flowers");
    await put(join(root, "train", "rose", "1.png"), png(1, 0, 0));
    await put(join(root, "train", "tulip", "2.png"), png(2, 0, 0));
    await put(join(root, "test", "tulip", "3.png"), png(3, 0, 0));
    const ds = await datasetOf(koan, await koan.run(load({ path: root, layout: "split/label", shards: 2 })), "image_source");
    assert.deepEqual(ds.splits, ["test", "train"]);
    assert.deepEqual(await ds.sample("test", 5, { int64: "number", bytes: "bytes" }).then((rs) => rs.map((x) => x.label_id)), [1]);
    assert.equal(ds.rowCount("train"), 2);
  } finally {
    await cleanup();
  }
});

test("an empty folder, a missing folder and an image outside a label folder fail clearly and commit nothing", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    await mkdir(join(dir, "empty", "cat"), { recursive: true });
    await writeFile(join(dir, "empty", "cat", "readme.md"), "no images here");
    const empty = await koan.run(load({ path: join(dir, "empty") }));
    assert.equal(empty.status, "failed");
    assert.match(empty.error?.message ?? "", /empty holds no images \(looked for \.png, \.jpg/);
    assert.equal(empty.outputs.image_source, undefined);

    const missing = await koan.run(load({ path: join(dir, "nope") }));
    assert.match(missing.error?.message ?? "", /nope does not exist or is not a folder/);

    await put(join(dir, "flat", "x.png"), png(0, 0, 0));
    const flat = await koan.run(load({ path: join(dir, "flat") }));
    assert.match(flat.error?.message ?? "", /image x\.png under .*flat is not at <label>\/<image>/);
  } finally {
    await cleanup();
  }
});
