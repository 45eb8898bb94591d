import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/index.js";
import { encodeExample } from "../../src/data/example/encode.js";
import { ExampleRowEncoder, type RowEncoderColumn, type RowEncoderColumnData, type RowEncoderValue } from "../../src/data/example/row-encoder.js";
import { binaryKeyOfText } from "../../src/data/stats/columns.js";
import { ExampleChunkEncoder, strideCount } from "../../src/data/example/chunk-encoder.js";
import { framedSize, writeFramedRecord } from "../../src/data/tfrecord/framing.js";
import type { Example, Feature, FeatureKind } from "../../src/data/example/types.js";

const utf8 = new TextEncoder();

/** The Example encodeExample is given for a row: one single-valued feature per column, NULL as an empty list. */
function exampleOf(columns: readonly RowEncoderColumn[], row: readonly RowEncoderValue[]): Example {
  const ex = new Map<string, Feature>();
  columns.forEach((c, i) => {
    const v = row[i];
    if (c.kind === "float") ex.set(c.name, { kind: "float", values: v === null ? new Float32Array(0) : Float32Array.of(v as number) });
    else if (c.kind === "int64") ex.set(c.name, { kind: "int64", values: v === null ? new BigInt64Array(0) : BigInt64Array.of(BigInt(v as number | bigint)) });
    else ex.set(c.name, { kind: "bytes", values: v === null ? [] : [typeof v === "string" ? utf8.encode(v) : (v as Uint8Array)] });
  });
  return ex;
}

const KINDS: FeatureKind[] = ["float", "int64", "bytes"];
const NAMES = ["a", "b", "id", "x", "x1", "Z", "é", "日本", "a_long_feature_name_over_sixteen_chars", "", "🙂", "zz"];

test("ExampleRowEncoder gives exactly encodeExample's bytes over random rows and columns", () => {
  const rng = createRng(20240607);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
  const specials = [0, -0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53 - 1, -(2 ** 53) + 1, 1e300, -1e-300, Infinity, -Infinity, NaN, 3.4e38, 1.17549435e-38];
  const bigs = [0n, 1n, -1n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n, -9007199254740993n];
  let compared = 0;
  for (let trial = 0; trial < 300; trial++) {
    const names = [...new Set(Array.from({ length: 1 + Math.floor(rng.next() * 10) }, () => pick(NAMES)))];
    const columns = names.map((name) => ({ name, kind: pick(KINDS) }));
    const enc = new ExampleRowEncoder(columns);
    for (let r = 0; r < 40; r++) {
      const row: RowEncoderValue[] = columns.map((c) => {
        if (rng.next() < 0.15) return null;
        if (c.kind === "float") return rng.next() < 0.2 ? pick(specials) : (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 12 - 4);
        if (c.kind === "int64") {
          const u = rng.next();
          if (u < 0.3) return pick(bigs);
          if (u < 0.6) return Math.floor((rng.next() - 0.5) * 2 ** Math.floor(rng.next() * 53));
          return BigInt(Math.floor((rng.next() - 0.5) * 2 ** 40)) * BigInt(Math.floor(rng.next() * 2 ** 22));
        }
        const u = rng.next();
        if (u < 0.1) return "";
        if (u < 0.2) return new Uint8Array(Array.from({ length: Math.floor(rng.next() * 300) }, () => Math.floor(rng.next() * 256)));
        if (u < 0.3) return "x".repeat(Math.floor(rng.next() * 20000));
        const chars = ["a", "Z", "0", " ", "é", "ß", "日", "🙂", "\u0000", "\ud800", "\udfff"];
        return Array.from({ length: Math.floor(rng.next() * 40) }, () => pick(chars)).join("");
      });
      const expected = encodeExample(exampleOf(columns, row));
      assert.deepEqual(Buffer.from(enc.encode(row)), Buffer.from(expected), `trial ${trial} row ${r}: ${JSON.stringify(columns)}`);
      compared++;
    }
  }
  assert.equal(compared, 12000);
});

test("ExampleRowEncoder rejects values that do not fit their column", () => {
  const enc = new ExampleRowEncoder([{ name: "n", kind: "int64" }, { name: "f", kind: "float" }]);
  assert.throws(() => enc.encode([1.5, 0]), /feature "n": cannot store number 1\.5 in a int64 feature/);
  assert.throws(() => enc.encode([2n ** 63n, 0]), /cannot store bigint/);
  assert.throws(() => enc.encode([1, "x"]), /feature "f": cannot store string "x" in a float feature/);
  assert.throws(() => new ExampleRowEncoder([{ name: "a", kind: "float" }, { name: "a", kind: "bytes" }]), /given twice/);
});

/** Doubles at the edges of float32: zeros, infinities, overflow, subnormals, rounding ties, NaNs with payloads. */
const SPECIAL_FLOATS = [0, -0, NaN, Infinity, -Infinity, 1e300, -1e-300, 1e-40, 2 ** -149, 2 ** -150, 1 + 2 ** -24, 1 + 3 * 2 ** -24, 3.4028235677973366e38, ...new Float64Array(BigUint64Array.of(0x7ff0000000000001n, 0xfff8000000000abcn, 0x7ff4000000000000n).buffer)];

/** A random chunk of `rows` rows: the columns, each row's values, and the chunk as column data. */
function randomChunk(rng: ReturnType<typeof createRng>, rows: number): { columns: RowEncoderColumn[]; values: RowEncoderValue[][]; data: RowEncoderColumnData[] } {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)] as T;
  const bigs = [0n, 1n, -1n, 127n, 128n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 63n - 1n, -(2n ** 63n), 9007199254740993n];
  const texts = ["", "a", "é", "日本", "🙂", "\ud800", "x".repeat(300), "a,b", "y".repeat(20000)];
  const names = [...new Set(Array.from({ length: 1 + Math.floor(rng.next() * 8) }, () => pick(NAMES)))];
  const columns = names.map((name) => ({ name, kind: pick(KINDS) }));
  const values: RowEncoderValue[][] = [];
  const nulls = rng.next() < 0.7 ? 0.2 : 0;
  const data: RowEncoderColumnData[] = columns.map((c) => {
    const vals: RowEncoderValue[] = Array.from({ length: rows }, () => {
      if (rng.next() < nulls) return null;
      if (c.kind === "float") return rng.next() < 0.1 ? pick(SPECIAL_FLOATS) : (rng.next() - 0.5) * 1e6;
      if (c.kind === "int64") return rng.next() < 0.4 ? pick(bigs) : BigInt(Math.floor((rng.next() - 0.5) * 2 ** 50));
      return pick(texts) + (rng.next() < 0.5 ? String(Math.floor(rng.next() * 100)) : "");
    });
    values.push(vals);
    const valid = Uint8Array.from(vals, (v) => (v === null ? 0 : 1));
    const mask = valid.every((x) => x === 1) ? null : valid;
    if (c.kind === "float") return { kind: "float", values: Float64Array.from(vals, (v) => (v === null ? 0 : (v as number))), valid: mask };
    if (c.kind === "int64") {
      const words = new Int32Array(rows * 2);
      new BigInt64Array(words.buffer).set(vals.map((v) => (v === null ? 0n : (v as bigint))));
      return { kind: "int64", words, valid: mask };
    }
    return { kind: "bytes", keys: vals.map((v) => (v === null ? null : binaryKeyOfText(v as string))) };
  });
  return { columns, values, data };
}

test("ExampleChunkEncoder frames exactly the records of encode (each row's values), for every stride of a chunk", () => {
  const rng = createRng(4242);
  let records = 0;
  for (let trial = 0; trial < 80; trial++) {
    const rows = 1 + Math.floor(rng.next() * 70);
    const { columns, values, data } = randomChunk(rng, rows);
    const rowEncoder = new ExampleRowEncoder(columns);
    const chunkEncoder = new ExampleChunkEncoder(columns);
    chunkEncoder.load(data, rows);
    for (const step of [1, 3, 8]) {
      for (let first = 0; first < Math.min(step, rows) + 1; first++) {
        const parts: Buffer[] = [];
        for (let r = first; r < rows; r += step) {
          const record = rowEncoder.encode(columns.map((_, i) => (values[i] as RowEncoderValue[])[r]));
          const framed = new Uint8Array(framedSize(record.length));
          writeFramedRecord(framed, 0, record);
          parts.push(Buffer.from(framed));
          records++;
        }
        assert.deepEqual(Buffer.from(chunkEncoder.encodeFramed(first, step)), Buffer.concat(parts), `trial ${trial} rows ${rows} first ${first} step ${step}`);
        assert.equal(strideCount(rows, first, step), parts.length);
      }
    }
  }
  assert.ok(records > 5000, `compared ${records} records`);
});

test("ExampleChunkEncoder grows its memory for large chunks and keeps encoding smaller ones after", () => {
  const columns: RowEncoderColumn[] = [{ name: "s", kind: "bytes" }, { name: "x", kind: "float" }];
  const rowEncoder = new ExampleRowEncoder(columns);
  const chunkEncoder = new ExampleChunkEncoder(columns);
  for (const [rows, width] of [[3, 5], [40, 200_000], [2, 1], [5000, 30]] as const) {
    const keys = Array.from({ length: rows }, (_, r) => (r % 7 === 3 ? null : String.fromCharCode(97 + (r % 26)).repeat(width)));
    const xs = Float64Array.from({ length: rows }, (_, r) => r / 3);
    chunkEncoder.load([{ kind: "bytes", keys }, { kind: "float", values: xs, valid: null }], rows);
    const framed = Buffer.from(chunkEncoder.encodeFramed(1, 2));
    const parts: Buffer[] = [];
    for (let r = 1; r < rows; r += 2) {
      const record = rowEncoder.encode([keys[r] ?? null, xs[r] as number]);
      const out = new Uint8Array(framedSize(record.length));
      writeFramedRecord(out, 0, record);
      parts.push(Buffer.from(out));
    }
    assert.deepEqual(framed, Buffer.concat(parts), `rows ${rows} width ${width}`);
  }
  assert.throws(() => chunkEncoder.load([{ kind: "float", values: new Float64Array(1), valid: null }], 1), /chunk of 1 columns was given to an encoder of 2/);
  assert.throws(() => chunkEncoder.load([{ kind: "bytes", keys: [] }, { kind: "float", values: new Float64Array(1), valid: null }], 2), /float column holds 1 values for a chunk of 2 rows/);
  // A rejected chunk leaves the loaded one intact.
  const keys = ["q", null, "r"];
  const xs = new Float64Array([1, 2, 3]);
  chunkEncoder.load([{ kind: "bytes", keys }, { kind: "float", values: xs, valid: null }], 3);
  const before = Buffer.from(chunkEncoder.encodeFramed(0, 1));
  assert.throws(() => chunkEncoder.load([{ kind: "bytes", keys: ["zz"] }, { kind: "float", values: new Float64Array(0), valid: null }], 1), /holds 0 values/);
  assert.deepEqual(Buffer.from(chunkEncoder.encodeFramed(0, 1)), before);
});
