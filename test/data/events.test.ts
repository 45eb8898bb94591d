import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { test } from "node:test";
import protobuf from "protobufjs";
import { isKoanError } from "../../src/core/errors.js";
import { decodeEvent } from "../../src/data/events/decode.js";
import { encodeEvent } from "../../src/data/events/encode.js";
import { eventFileName, isEventFileName } from "../../src/data/events/file-name.js";
import { readEvents, readScalars } from "../../src/data/events/reader.js";
import { ScalarExtractor } from "../../src/data/events/scalars.js";
import type { Event, ScalarPoint } from "../../src/data/events/types.js";
import { EventFileWriter } from "../../src/data/events/writer.js";
import { TFRecordWriter } from "../../src/data/tfrecord/writer.js";
import { fixture, parseFramesIndependently, SKIP_WITHOUT_SHARED, walkFiles, withTempDir } from "./shared.js";

/** An independent definition of the Event subset, written from TensorBoard's documentation of the format. */
const EVENT_PROTO = `
syntax = "proto3";
package tb;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
  }
  SourceMetadata source_metadata = 10;
}
message SourceMetadata { string writer = 1; }
message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}
message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  int32 data_class = 4;
}
message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
}
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  bytes tensor_content = 4;
  repeated float float_val = 5;
  repeated double double_val = 6;
  repeated bytes string_val = 8;
}
`;
const PbEvent = protobuf.parse(EVENT_PROTO, { keepCase: true }).root.lookupType("tb.Event");

interface PbEventObject {
  wall_time?: number;
  step?: string;
  file_version?: string;
  summary?: {
    value?: {
      tag?: string;
      simple_value?: number;
      tensor?: { dtype?: number; float_val?: number[]; tensor_shape?: { dim?: unknown[] } };
      metadata?: { plugin_data?: { plugin_name?: string }; data_class?: number };
    }[];
  };
}

function pbDecode(bytes: Uint8Array): PbEventObject {
  return PbEvent.toObject(PbEvent.decode(bytes), { longs: String, arrays: true }) as PbEventObject;
}

function pbEncode(object: Record<string, unknown>): Uint8Array {
  return PbEvent.encode(PbEvent.fromObject(object)).finish();
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

function countByTag(points: ScalarPoint[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of points) counts[p.tag] = (counts[p.tag] ?? 0) + 1;
  return counts;
}

test("event file names follow TensorBoard's convention", () => {
  assert.equal(eventFileName({ timestamp: 1700000000.9, hostname: "ci" }), "events.out.tfevents.1700000000.ci");
  assert.equal(eventFileName({ timestamp: 42, hostname: "h", suffix: ".v2" }), "events.out.tfevents.0000000042.h.v2");
  assert.throws(() => eventFileName({ timestamp: 1, hostname: "a/b" }), (e) => isKoanError(e, "USAGE"));
  assert.ok(isEventFileName("/x/events.out.tfevents.1598485465.penguin.profile-empty"));
  assert.ok(!isEventFileName("/x/data.tfrecord"));
});

test("the writer writes file_version first, then scalars in both styles, readable by Koan and by protobufjs", async () => {
  await withTempDir(async (dir) => {
    let now = 1700000000;
    const clock = (): number => (now += 0.5);
    const writer = await EventFileWriter.open(join(dir, "logs"), { timestamp: 1700000000, hostname: "testhost", clock });
    assert.equal(basename(writer.path), "events.out.tfevents.1700000000.testhost");
    await writer.writeScalar("loss", 0.75, 1);
    await writer.writeScalar("loss", 0.5, 2, 1700000100.25);
    await writer.writeEvent({
      step: 3,
      summary: [
        { tag: "acc", tensor: { dtype: 1, shape: [], floatVal: Float32Array.of(0.875) }, metadata: { pluginName: "scalars" } },
      ],
    });
    await writer.flush();
    await writer.close();

    const records = parseFramesIndependently(new Uint8Array(await readFile(writer.path)));
    const independent = records.map(pbDecode);
    assert.deepEqual(independent[0], { wall_time: 1700000000.5, file_version: "brain.Event:2" });
    assert.deepEqual(independent[1], { wall_time: 1700000001, step: "1", summary: { value: [{ tag: "loss", simple_value: 0.75 }] } });
    assert.equal(independent[2].wall_time, 1700000100.25);
    assert.equal(independent[3].summary?.value?.[0].tensor?.float_val?.[0], 0.875);
    assert.equal(independent[3].summary?.value?.[0].metadata?.plugin_data?.plugin_name, "scalars");

    const events = await collect(readEvents(writer.path));
    assert.equal(events[0].kind, "file_version");
    assert.equal(events[0].fileVersion, "brain.Event:2");
    assert.deepEqual(await collect(readScalars(writer.path)), [
      { tag: "loss", step: 1, value: 0.75, wallTime: 1700000001 },
      { tag: "loss", step: 2, value: 0.5, wallTime: 1700000100.25 },
      { tag: "acc", step: 3, value: 0.875, wallTime: 1700000001.5 },
    ]);
  });
});

test("the writer is deterministic given timestamp, hostname and clock; abort removes the file", async () => {
  await withTempDir(async (dir) => {
    const write = async (sub: string, style: "simple_value" | "tensor"): Promise<Buffer> => {
      const writer = await EventFileWriter.open(join(dir, sub), { timestamp: 5, hostname: "h", clock: () => 5, scalarStyle: style });
      for (let step = 0; step < 10; step++) await writer.writeScalar("m", step / 3, step);
      await writer.close();
      return readFile(writer.path);
    };
    assert.deepEqual(await write("a", "tensor"), await write("b", "tensor"));
    const tensorStyle = await collect(readScalars(join(dir, "a", "events.out.tfevents.0000000005.h")));
    assert.deepEqual(
      tensorStyle.map((p) => p.value),
      Array.from({ length: 10 }, (_, i) => Math.fround(i / 3)),
    );
    const independent = parseFramesIndependently(new Uint8Array(await write("c", "tensor"))).map(pbDecode);
    assert.equal(independent[1].summary?.value?.[0].tensor?.dtype, 1);
    assert.equal(independent[1].summary?.value?.[0].metadata?.data_class, 1);

    const aborted = await EventFileWriter.open(join(dir, "d"), { timestamp: 5, hostname: "h", clock: () => 5 });
    await aborted.writeScalar("x", 1, 1);
    await aborted.abort();
    assert.deepEqual(await readdir(join(dir, "d")), []);
  });
});

test("TF2 scalars: plugin metadata only on a tag's first value, tensor_content and double tensors, non-scalar tensors ignored", () => {
  const extractor = new ScalarExtractor();
  const event = (step: number, value: Record<string, unknown>): Event =>
    decodeEvent(pbEncode({ wall_time: 10 + step, step, summary: { value: [value] }, source_metadata: { writer: "tf" } }));
  const floatContent = Buffer.alloc(4);
  floatContent.writeFloatLE(0.25);
  const doubleContent = Buffer.alloc(8);
  doubleContent.writeDoubleLE(0.1);
  const scalars = [
    event(1, { tag: "loss", tensor: { dtype: 1, tensor_shape: {}, float_val: [2.5] }, metadata: { plugin_data: { plugin_name: "scalars" } } }),
    event(2, { tag: "loss", tensor: { dtype: 1, tensor_shape: {}, float_val: [1.5] } }),
    event(3, { tag: "loss", tensor: { dtype: 1, tensor_shape: {}, tensor_content: floatContent } }),
    event(4, { tag: "lr", tensor: { dtype: 2, tensor_shape: {}, tensor_content: doubleContent }, metadata: { data_class: 1 } }),
    event(5, { tag: "keras", tensor: { dtype: 7, tensor_shape: {}, string_val: [Buffer.from("{}")] }, metadata: { plugin_data: { plugin_name: "graph_keras_model" } } }),
    event(6, { tag: "weights", tensor: { dtype: 1, tensor_shape: { dim: [{ size: 3 }] }, float_val: [1, 2, 3] }, metadata: { plugin_data: { plugin_name: "scalars" } } }),
    event(7, { tag: "untagged_tensor", tensor: { dtype: 1, tensor_shape: {}, float_val: [9] } }),
  ].flatMap((e) => extractor.extract(e));
  assert.deepEqual(scalars, [
    { tag: "loss", step: 1, value: 2.5, wallTime: 11 },
    { tag: "loss", step: 2, value: 1.5, wallTime: 12 },
    { tag: "loss", step: 3, value: 0.25, wallTime: 13 },
    { tag: "lr", step: 4, value: 0.1, wallTime: 14 },
  ]);
});

test("encodeEvent/decodeEvent round-trip, negative and large steps, and an event with no wall_time", () => {
  for (const step of [0, 1, -1, 2 ** 40, -(2 ** 50)]) {
    const event = decodeEvent(encodeEvent({ wallTime: 1.5, step, summary: [{ tag: "t", simpleValue: 2 }] }));
    assert.equal(event.step, step);
    assert.equal(pbDecode(encodeEvent({ step })).step ?? "0", String(step));
  }
  const bare = decodeEvent(encodeEvent({ fileVersion: "brain.Event:2" }));
  assert.deepEqual(bare, { wallTime: undefined, step: 0, kind: "file_version", fileVersion: "brain.Event:2" });
  assert.throws(() => encodeEvent({ fileVersion: "x", summary: [] }), (e) => isKoanError(e, "USAGE"));
  assert.throws(() => decodeEvent(Uint8Array.from([0x09, 0x00])), (e) => isKoanError(e, "FORMAT_INVALID") && /tensorboard\.Event/.test(e.message));
});

test("a corrupt event record is located by file and byte offset", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "events.out.tfevents.1.h");
    const writer = await TFRecordWriter.open(path);
    await writer.write(encodeEvent({ fileVersion: "brain.Event:2" }));
    await writer.write(Uint8Array.from([0x2a, 0x10, 0x0a])); // summary field claiming 16 bytes
    await writer.close();
    const offset = encodeEvent({ fileVersion: "brain.Event:2" }).length + 16;
    await assert.rejects(collect(readEvents(path)), (e) => isKoanError(e, "FORMAT_INVALID") && e.message.startsWith(`${path}: record 1 at byte offset ${offset}:`));
  });
});

const skip = SKIP_WITHOUT_SHARED;

/** Scalar tags and point counts of each event fixture, by path relative to fixtures/events. */
const EXPECTED_SCALARS: Record<string, Record<string, number>> = {
  "guild_keras_tf1/events.out.tfevents.1548797801.omaha": { acc: 20, loss: 20, val_acc: 20, val_loss: 20 },
  "guild_minimal/events.out.tfevents.1662041974.calusa.97126.2": { loss: 1 },
  "tfx_keras_tf2_iris/train/events.out.tfevents.1598485465.penguin.1486.6519.v2": {
    batch_loss: 100,
    batch_sparse_categorical_accuracy: 100,
    epoch_loss: 20,
    epoch_sparse_categorical_accuracy: 20,
  },
  "tfx_keras_tf2_iris/train/events.out.tfevents.1598485465.penguin.profile-empty": {},
  "tfx_keras_tf2_iris/validation/events.out.tfevents.1598485465.penguin.1486.7304.v2": { epoch_loss: 20, epoch_sparse_categorical_accuracy: 20 },
  "tfx_trainer_eval/events.out.tfevents.1646034751.jiyongjung.c.googlers.com": Object.fromEntries(
    ["accuracy", "accuracy_baseline", "auc", "auc_precision_recall", "average_loss", "label/mean", "loss", "precision", "prediction/mean", "recall"].map(
      (tag) => [tag, 2],
    ),
  ),
  "tfx_trainer_train/events.out.tfevents.1646034739.jiyongjung.c.googlers.com": {
    bias: 10,
    "dnn/hiddenlayer_0/fraction_of_zero_values": 10,
    "dnn/hiddenlayer_1/fraction_of_zero_values": 10,
    "dnn/hiddenlayer_2/fraction_of_zero_values": 10,
    "dnn/hiddenlayer_3/fraction_of_zero_values": 10,
    "dnn/logits/fraction_of_zero_values": 10,
    fraction_of_zero_weights: 10,
    "global_step/sec": 9,
    "linear/fraction_of_zero_values": 10,
    loss: 10,
  },
};

test("every event fixture starts with file_version and yields the expected scalar tags with plausible values", { skip }, async () => {
  const root = fixture("events");
  const files = walkFiles(root);
  assert.deepEqual(files.map((f) => relative(root, f)).sort(), Object.keys(EXPECTED_SCALARS).sort());
  for (const file of files) {
    const name = relative(root, file);
    const events = await collect(readEvents(file));
    assert.equal(events[0].kind, "file_version", name);
    assert.equal(events[0].fileVersion, "brain.Event:2", name);
    const scalars = await collect(readScalars(file));
    assert.deepEqual(countByTag(scalars), EXPECTED_SCALARS[name], name);
    for (const p of scalars) {
      assert.ok(Number.isFinite(p.value), `${name} ${p.tag}@${p.step}`);
      assert.ok(p.step >= 0);
      if (/(^|_)(acc|accuracy|auc|precision|recall|fraction)/.test(p.tag)) assert.ok(p.value >= 0 && p.value <= 1, `${name} ${p.tag}=${p.value}`);
      if (/loss$/.test(p.tag)) assert.ok(p.value >= 0, `${name} ${p.tag}=${p.value}`);
      if (!name.startsWith("guild_minimal/")) assert.ok(p.wallTime !== undefined && p.wallTime > 1.5e9, `${name} wall time`);
    }
  }
});

test("the minimal fixture has no wall_time: wallTime is undefined, the scalar is still read", { skip }, async () => {
  const file = fixture("events", "guild_minimal", "events.out.tfevents.1662041974.calusa.97126.2");
  const events = await collect(readEvents(file));
  assert.equal(events.length, 2);
  assert.ok(events.every((e) => e.wallTime === undefined));
  const [point] = await collect(readScalars(file));
  assert.equal(point.tag, "loss");
  assert.equal(point.step, 0);
  assert.equal(point.wallTime, undefined);
  assert.ok(Math.abs(point.value - 0.478751) < 1e-6);
});

test("TF1 estimator and Keras fixtures: steps increase per tag", { skip }, async () => {
  const keras = await collect(readScalars(fixture("events", "guild_keras_tf1", "events.out.tfevents.1548797801.omaha")));
  assert.deepEqual(
    keras.filter((p) => p.tag === "val_loss").map((p) => p.step),
    Array.from({ length: 20 }, (_, i) => i),
  );
  const estimator = await collect(readScalars(fixture("events", "tfx_trainer_eval", "events.out.tfevents.1646034751.jiyongjung.c.googlers.com")));
  assert.ok(estimator.some((p) => p.tag === "accuracy" && p.step === 1000));
});
