import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { isKoanError } from "../../src/core/errors.js";
import { bytesFeature, floatFeature, int64Feature } from "../../src/data/example/build.js";
import { decodeExample } from "../../src/data/example/decode.js";
import { encodeExample } from "../../src/data/example/encode.js";
import { readExamples, writeExamples } from "../../src/data/example/files.js";
import { exampleFromRow, rowFromExample } from "../../src/data/example/rows.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import { TFRecordWriter } from "../../src/data/tfrecord/writer.js";
import { withTempDir } from "./shared.js";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function sample(): Example {
  return new Map<string, Feature>([
    ["label", int64Feature([3])],
    ["pixels", floatFeature([0, 0.5, 1, -2.25])],
    ["name", bytesFeature(["Adélie", new Uint8Array([0, 255])])],
    ["ids", int64Feature([1n, -1n, 2n ** 40n])],
  ]);
}

test("encodes the exact protobuf bytes TensorFlow defines (packed int64, sorted keys)", () => {
  const one = new Map<string, Feature>([["a", int64Feature([1])]]);
  assert.equal(hex(encodeExample(one)), "0a0c0a0a0a016112051a030a0101");
  const two = new Map<string, Feature>([
    ["b", floatFeature([1])],
    ["a", bytesFeature(["x"])],
  ]);
  // Example.features (27 bytes) = entry "a" (10 bytes) + entry "b" (13 bytes), each a LEN field 1
  const entryA = "0a0a" + "0a0161" + "1205" + "0a03" + "0a0178"; // key "a", value { bytes_list { value: "x" } }
  const entryB = "0a0d" + "0a0162" + "1208" + "1206" + "0a04" + "0000803f"; // key "b", value { float_list { value: [1] } }
  assert.equal(hex(encodeExample(two)), "0a1b" + entryA + entryB);
  assert.equal(hex(encodeExample(new Map())), "0a00");
});

test("round-trips every kind, multi-valued features and bytes that are not UTF-8", () => {
  const example = sample();
  const decoded = decodeExample(encodeExample(example));
  assert.deepEqual(new Map([...decoded].sort()), new Map([...example].sort()));
});

test("encoding is deterministic whatever the insertion order of the Map or of the row's keys", () => {
  const a = sample();
  const b = new Map([...a].reverse());
  assert.deepEqual(encodeExample(a), encodeExample(b));
  const row1 = { z: 1.5, a: "x", m: [1n, 2n], é: null, b: new Uint8Array([1]) };
  const row2 = { b: new Uint8Array([1]), m: [1n, 2n], é: null, a: "x", z: 1.5 };
  assert.deepEqual(encodeExample(exampleFromRow(row1)), encodeExample(exampleFromRow(row2)));
  const keys = [...decodeExample(encodeExample(exampleFromRow(row1)))].map(([k]) => k);
  assert.deepEqual(keys, ["a", "b", "m", "z"]);
});

test("keys are ordered by UTF-8 bytes (protobuf's deterministic map order)", () => {
  // U+E000 vs U+1F600: UTF-16 code unit order (0xe000 > 0xd83d) differs from UTF-8 byte order (0xee < 0xf0).
  const example = new Map<string, Feature>([
    ["\u{1F600}", int64Feature([1])],
    ["\uE000", int64Feature([2])],
    ["B", int64Feature([3])],
    ["a", int64Feature([4])],
  ]);
  const keys = [...decodeExample(encodeExample(example))].map(([k]) => k);
  assert.deepEqual(keys, ["B", "a", "\uE000", "\u{1F600}"]);
});

test("int64 edge cases keep full 64-bit precision", () => {
  const values = [-1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, 0n, 2n ** 32n, -(2n ** 32n), 127n, 128n, -(2n ** 53n) - 1n];
  const example = new Map<string, Feature>([["v", int64Feature(values)]]);
  const bytes = encodeExample(example);
  const decoded = decodeExample(bytes).get("v");
  assert.equal(decoded?.kind, "int64");
  assert.deepEqual(Array.from(decoded.values as BigInt64Array), values);
  // -1 is the 10-byte varint ff ff ff ff ff ff ff ff ff 01, as protobuf writes negative int64s
  assert.ok(hex(encodeExample(new Map([["v", int64Feature([-1n])]]))).includes("ffffffffffffffffff01"));
  assert.throws(() => int64Feature([2n ** 63n]), (e) => isKoanError(e, "DATA_INVALID"));
  assert.throws(() => int64Feature([1.5]), (e) => isKoanError(e, "DATA_INVALID"));
  assert.deepEqual(Array.from(int64Feature([2 ** 60]).values), [2n ** 60n]);
});

test("floats are float32: values are rounded once, special values survive", () => {
  const values = [0.1, 1 / 3, 1e-46, 3.5e38, Number.NaN, Number.POSITIVE_INFINITY, -0, 16777217];
  const feature = floatFeature(values);
  const decoded = decodeExample(encodeExample(new Map([["f", feature]]))).get("f");
  assert.ok(decoded?.kind === "float");
  values.forEach((v, i) => assert.ok(Object.is(decoded.values[i], Math.fround(v)), `value ${i}: ${decoded.values[i]} vs ${Math.fround(v)}`));
  assert.equal(decoded.values[2], 0); // below float32's smallest subnormal
  assert.equal(decoded.values[3], Number.POSITIVE_INFINITY); // above float32's max
  assert.equal(decoded.values[7], 16777216);
});

test("empty features: typed lists round-trip their kind; untyped (TFX) encoding takes the kind from options", () => {
  const example = new Map<string, Feature>([
    ["b", bytesFeature([])],
    ["f", floatFeature([])],
    ["i", int64Feature([])],
  ]);
  const typed = encodeExample(example);
  assert.deepEqual(decodeExample(typed), example);
  const untyped = encodeExample(example, { emptyFeatures: "untyped" });
  // each map entry is key + "12 00": a Feature message with no kind
  assert.equal(hex(untyped), "0a15" + ["62", "66", "69"].map((k) => `0a050a01${k}1200`).join(""));
  const plain = decodeExample(untyped);
  assert.deepEqual([...plain].map(([k, f]) => [k, f.kind, f.values.length]), [
    ["b", "bytes", 0],
    ["f", "bytes", 0],
    ["i", "bytes", 0],
  ]);
  assert.deepEqual(decodeExample(untyped, { kinds: { f: "float", i: "int64" } }), example);
  assert.deepEqual(decodeExample(untyped, { kinds: new Map([["f", "float" as const]]), untypedKind: "int64" }).get("i"), int64Feature([]));
});

test("decoding accepts unpacked repeated fields, split lists, unknown fields and a later kind overriding an earlier one", () => {
  // Feature { float_list { value: 1.5 (unpacked) value: [2.5] (packed) } }, then a second float_list (merged)
  const f15 = "0000c03f";
  const f25 = "00002040";
  const floatList = `0d${f15}0a04${f25}`; // 11 bytes
  const feature = `120b${floatList}1205${`0d${f15}`}`;
  // Feature { int64_list { 7 unpacked, [300, -2] packed } }, with an unknown field 9 (varint) in the list
  const int64List = "0807" + "0a0c" + "ac02" + "feffffffffffffffff01" + "4801";
  const intFeature = `1a${(int64List.length / 2).toString(16)}${int64List}`;
  // bytes_list given, then int64_list: the last kind set wins (protobuf oneof)
  const switched = "0a030a0178" + "1a030a0105";
  const entry = (key: string, featureHex: string): string => {
    const body = `0a01${Buffer.from(key).toString("hex")}12${(featureHex.length / 2).toString(16).padStart(2, "0")}${featureHex}`;
    return `0a${(body.length / 2).toString(16).padStart(2, "0")}${body}`;
  };
  const features = entry("f", feature) + entry("i", intFeature) + entry("s", switched) + "1a0178"; // + unknown field 3 of Features
  const bytes = Buffer.from(`0a${(features.length / 2).toString(16)}${features}` + "1001", "hex"); // + unknown field 2 of Example
  const example = decodeExample(new Uint8Array(bytes));
  assert.deepEqual(example.get("f"), floatFeature([1.5, 2.5, 1.5]));
  assert.deepEqual(example.get("i"), int64Feature([7n, 300n, -2n]));
  assert.deepEqual(example.get("s"), int64Feature([5n]));
});

test("malformed Example bytes are FORMAT_INVALID errors naming the byte position", () => {
  const good = encodeExample(sample());
  for (const cut of [1, 5, good.length - 1]) {
    assert.throws(
      () => decodeExample(good.subarray(0, cut)),
      (e) => isKoanError(e, "FORMAT_INVALID") && /invalid tf\.train\.Example: .* at byte \d+/.test(e.message),
      `cut at ${cut}`,
    );
  }
  // a packed float list of 3 bytes
  assert.throws(() => decodeExample(Uint8Array.from([0x0a, 0x0c, 0x0a, 0x0a, 0x0a, 0x01, 0x61, 0x12, 0x05, 0x12, 0x03, 0x0a, 0x01, 0x00])), /multiple of 4/);
  // wire type 7 does not exist
  assert.throws(() => decodeExample(Uint8Array.from([0x0f])), /invalid wire type 7/);
});

test("exampleFromRow: inference, given kinds, nulls and errors", () => {
  const example = exampleFromRow(
    { f: 1.25, i: 7n, s: "hé", raw: new Uint8Array([9]), list: [1, 2], missing: null, gone: undefined, forced: 3, empty: [] },
    { kinds: { forced: "int64", missing: "float", empty: "bytes" } },
  );
  assert.deepEqual(example.get("f"), floatFeature([1.25]));
  assert.deepEqual(example.get("i"), int64Feature([7n]));
  assert.deepEqual(example.get("s"), { kind: "bytes", values: [utf8("hé")] });
  assert.deepEqual(example.get("raw"), { kind: "bytes", values: [new Uint8Array([9])] });
  assert.deepEqual(example.get("list"), floatFeature([1, 2]));
  assert.deepEqual(example.get("missing"), floatFeature([]));
  assert.equal(example.has("gone"), false);
  assert.deepEqual(example.get("forced"), int64Feature([3n]));
  assert.deepEqual(example.get("empty"), bytesFeature([]));
  assert.throws(() => exampleFromRow({ e: [] }), (e) => isKoanError(e, "DATA_INVALID") && /empty list/.test(e.message));
  assert.throws(() => exampleFromRow({ m: [1, "x"] }), (e) => isKoanError(e, "DATA_INVALID") && /"m"/.test(e.message));
  assert.throws(() => exampleFromRow({ b: true as unknown as number }), (e) => isKoanError(e, "DATA_INVALID"));
  assert.throws(() => exampleFromRow({ n: 1.5 }, { kinds: { n: "int64" } }), (e) => isKoanError(e, "DATA_INVALID"));
  assert.deepEqual(exampleFromRow(new Map([["x", 1]])), new Map([["x", floatFeature([1])]]));
});

test("rowFromExample: scalars, lists, nulls, int64 and bytes options", () => {
  const example = decodeExample(
    encodeExample(exampleFromRow({ f: 0.5, l: [1, 2], i: 2n ** 60n, s: "ok", b: new Uint8Array([0xff]), e: null }, { kinds: { e: "int64" } })),
  );
  assert.deepEqual(rowFromExample(example, { bytes: "bytes" }), {
    b: new Uint8Array([0xff]),
    e: null,
    f: 0.5,
    i: 2n ** 60n,
    l: [1, 2],
    s: new Uint8Array(utf8("ok")),
  });
  assert.throws(() => rowFromExample(example), (e) => isKoanError(e, "DATA_INVALID") && /"b".*UTF-8/.test(e.message));
  assert.throws(() => rowFromExample(example, { bytes: "bytes", int64: "number" }), /"i"/);
  const small = exampleFromRow({ i: 5n, s: "x" });
  assert.deepEqual(rowFromExample(small, { int64: "number" }), { i: 5, s: "x" });
  assert.deepEqual(rowFromExample(small, { lists: "always" }), { i: [5n], s: ["x"] });
});

test("writeExamples / readExamples round-trip, and a bad record is located by file, index and offset", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "examples.tfrecord.gz");
    const examples = [sample(), exampleFromRow({ x: 1 }), new Map()];
    assert.equal(await writeExamples(path, examples), 3);
    const back: Example[] = [];
    for await (const e of readExamples(path)) back.push(e);
    assert.deepEqual(back.map((e) => encodeExample(e)), examples.map((e) => encodeExample(e)));

    const bad = join(dir, "bad.tfrecord");
    const writer = await TFRecordWriter.open(bad);
    await writer.write(encodeExample(sample()));
    await writer.write(Uint8Array.from([0x0a, 0x05, 0x0a]));
    await writer.close();
    const offset = encodeExample(sample()).length + 16;
    await assert.rejects(
      (async () => {
        for await (const _ of readExamples(bad));
      })(),
      (e) =>
        isKoanError(e, "FORMAT_INVALID") &&
        e.message.startsWith(`${bad}: record 1 at byte offset ${offset}: invalid tf.train.Example`) &&
        e.details.offset === offset,
    );
  });
});
