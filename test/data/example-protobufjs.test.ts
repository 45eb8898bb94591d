/**
 * Koan's Example codec checked against an independent implementation: protobufjs, with message types built
 * from a .proto text written here (not Koan's code, not the spec files).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import protobuf from "protobufjs";
import { bytesFeature, floatFeature, int64Feature } from "../../src/data/example/build.js";
import { decodeExample } from "../../src/data/example/decode.js";
import { encodeExample } from "../../src/data/example/encode.js";
import { decodeSequenceExample } from "../../src/data/example/sequence.js";
import type { Example, Feature } from "../../src/data/example/types.js";

const EXAMPLE_PROTO = (packed: boolean): string => `
syntax = "proto3";
package tensorflow;
message BytesList { repeated bytes value = 1; }
message FloatList { repeated float value = 1 [packed = ${packed}]; }
message Int64List { repeated int64 value = 1 [packed = ${packed}]; }
message Feature {
  oneof kind {
    BytesList bytes_list = 1;
    FloatList float_list = 2;
    Int64List int64_list = 3;
  }
}
message Features { map<string, Feature> feature = 1; }
message FeatureList { repeated Feature feature = 1; }
message FeatureLists { map<string, FeatureList> feature_list = 1; }
message Example { Features features = 1; }
message SequenceExample {
  Features context = 1;
  FeatureLists feature_lists = 2;
}
`;

const packedRoot = protobuf.parse(EXAMPLE_PROTO(true), { keepCase: true }).root;
const unpackedRoot = protobuf.parse(EXAMPLE_PROTO(false), { keepCase: true }).root;
const PbExample = packedRoot.lookupType("tensorflow.Example");

/** A feature as plain JSON-able data: kind and values as strings (int64 exact, floats as float32). */
type PlainFeature = [kind: string, values: string[]];

interface PbFeatureObject {
  bytes_list?: { value?: number[][] };
  float_list?: { value?: number[] };
  int64_list?: { value?: string[] };
}

function plainFromKoan(example: Example): Record<string, PlainFeature> {
  const out: Record<string, PlainFeature> = {};
  for (const [key, f] of example) {
    out[key] =
      f.kind === "bytes"
        ? ["bytes", f.values.map((v) => Buffer.from(v).toString("hex"))]
        : [f.kind, Array.from(f.values as ArrayLike<number | bigint>, (v) => String(v))];
  }
  return out;
}

function plainFromProtobufjs(bytes: Uint8Array): Record<string, PlainFeature> {
  const message = PbExample.decode(bytes);
  const object = PbExample.toObject(message, { longs: String, bytes: Array, arrays: true, oneofs: false }) as {
    features?: { feature?: Record<string, PbFeatureObject> };
  };
  const out: Record<string, PlainFeature> = {};
  for (const [key, f] of Object.entries(object.features?.feature ?? {})) {
    if (f.bytes_list) out[key] = ["bytes", (f.bytes_list.value ?? []).map((v) => Buffer.from(v).toString("hex"))];
    else if (f.float_list) out[key] = ["float", (f.float_list.value ?? []).map((v) => String(Math.fround(v)))];
    else if (f.int64_list) out[key] = ["int64", (f.int64_list.value ?? []).map(String)];
    else out[key] = ["none", []];
  }
  return out;
}

function examples(): Example[] {
  return [
    new Map<string, Feature>([
      ["label", int64Feature([-1n, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, 0n])],
      ["pixels", floatFeature([0.1, -0, 1e30, -3.25])],
      ["text", bytesFeature(["hello", "", "Ünïcode ✓", new Uint8Array([0, 0x80, 0xff])])],
    ]),
    new Map<string, Feature>([
      ["empty_b", bytesFeature([])],
      ["empty_f", floatFeature([])],
      ["empty_i", int64Feature([])],
    ]),
    new Map(),
    new Map<string, Feature>([["long", floatFeature(Array.from({ length: 5000 }, (_, i) => i / 7))]]),
  ];
}

test("protobufjs decodes Koan-encoded Examples to the same features", () => {
  for (const example of examples()) {
    assert.deepEqual(plainFromProtobufjs(encodeExample(example)), plainFromKoan(example));
  }
});

test("protobufjs decodes Koan's untyped empty features as Features with no kind set", () => {
  const example = new Map<string, Feature>([["missing", floatFeature([])]]);
  assert.deepEqual(plainFromProtobufjs(encodeExample(example, { emptyFeatures: "untyped" })), { missing: ["none", []] });
});

test("Koan's bytes equal protobufjs's encoding of the same Example with keys in sorted order", () => {
  for (const example of examples()) {
    const sorted = [...example].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const feature: Record<string, PbFeatureObject | Record<string, { value: unknown[] }>> = {};
    for (const [key, f] of sorted) {
      feature[key] =
        f.kind === "bytes"
          ? { bytes_list: { value: [...f.values] } }
          : f.kind === "float"
            ? { float_list: { value: Array.from(f.values) } }
            : { int64_list: { value: Array.from(f.values, String) } };
    }
    const theirs = PbExample.encode(PbExample.fromObject({ features: { feature } })).finish();
    assert.equal(Buffer.from(encodeExample(example)).toString("hex"), Buffer.from(theirs).toString("hex"));
  }
});

test("Koan decodes Examples protobufjs wrote unpacked (packed = false)", () => {
  const Unpacked = unpackedRoot.lookupType("tensorflow.Example");
  const bytes = Unpacked.encode(
    Unpacked.fromObject({
      features: {
        feature: {
          f: { float_list: { value: [1.5, -2, 0.1] } },
          i: { int64_list: { value: ["-5", "9223372036854775807", "300"] } },
          b: { bytes_list: { value: [Buffer.from("x")] } },
        },
      },
    }),
  ).finish();
  // unpacked floats are tag 0x0d (field 1, fixed32) per value
  assert.ok(Buffer.from(bytes).includes(Buffer.from([0x0d, 0x00, 0x00, 0xc0, 0x3f])));
  const decoded = decodeExample(bytes);
  assert.deepEqual(decoded.get("f"), floatFeature([1.5, -2, 0.1]));
  assert.deepEqual(decoded.get("i"), int64Feature([-5n, 2n ** 63n - 1n, 300n]));
  assert.deepEqual(decoded.get("b"), bytesFeature(["x"]));
});

test("Koan decodes a SequenceExample written by protobufjs, keeping step positions of kind-less features", () => {
  const PbSequence = packedRoot.lookupType("tensorflow.SequenceExample");
  const bytes = PbSequence.encode(
    PbSequence.fromObject({
      context: { feature: { id: { int64_list: { value: ["42"] } }, missing: {} } },
      feature_lists: {
        feature_list: {
          tokens: { feature: [{ bytes_list: { value: [Buffer.from("a"), Buffer.from("b")] } }, { bytes_list: { value: [] } }] },
          scores: { feature: [{ float_list: { value: [0.5] } }, {}, { float_list: { value: [1, 2] } }] },
          none: { feature: [] },
        },
      },
    }),
  ).finish();
  const { context, featureLists } = decodeSequenceExample(bytes, { kinds: { missing: "float" } });
  assert.deepEqual(context, new Map<string, Feature>([["id", int64Feature([42n])], ["missing", floatFeature([])]]));
  assert.deepEqual(featureLists.get("tokens"), [bytesFeature(["a", "b"]), bytesFeature([])]);
  assert.deepEqual(featureLists.get("scores"), [floatFeature([0.5]), floatFeature([]), floatFeature([1, 2])]);
  assert.deepEqual(featureLists.get("none"), []);
  assert.equal(featureLists.size, 3);
});
