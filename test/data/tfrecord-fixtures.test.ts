/**
 * Conformance: every TFRecord file TensorFlow/TFX wrote under ../shared/fixtures/tfrecord reads with all CRCs
 * checked, and every record decodes.
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { test } from "node:test";
import { decodeExample } from "../../src/data/example/decode.js";
import { decodeSequenceExample } from "../../src/data/example/sequence.js";
import type { Example, FeatureKind } from "../../src/data/example/types.js";
import { readTFRecords } from "../../src/data/tfrecord/reader.js";
import { fixture, SKIP_WITHOUT_SHARED, walkFiles } from "./shared.js";

const skip = SKIP_WITHOUT_SHARED;
const TAXI_EVAL = [424, 425, 424, 424, 424, 425, 425, 424, 424, 424, 424, 424];
const TAXI_TRAIN = [826, 826, 826, 825, 826, 825, 826, 826, 826, 826, 826, 825];

/** Record count of every TFRecord fixture, by path relative to fixtures/tfrecord. */
const EXPECTED_RECORDS: Record<string, number> = {
  "tfx_iris/eval/data_tfrecord-00000-of-00001.gz": 45,
  "tfx_iris/train/data_tfrecord-00000-of-00001.gz": 105,
  "tfx_mnist/mnist.tfrecord": 1000,
  "tfx_next_page/data.tfrecord.gz": 100,
  "tfx_penguin/Split-eval/data_tfrecord-00000-of-00001.gz": 100,
  "tfx_penguin/Split-train/data_tfrecord-00000-of-00001.gz": 234,
  "tfx_sequence_example/data_tfrecord-00000-of-00001.gz": 15000,
  ...Object.fromEntries(TAXI_EVAL.map((n, i) => [`tfx_taxi_csv_example_gen/Split-eval/${shard(i)}`, n])),
  ...Object.fromEntries(TAXI_TRAIN.map((n, i) => [`tfx_taxi_csv_example_gen/Split-train/${shard(i)}`, n])),
};

function shard(i: number): string {
  return `data_tfrecord-${String(i).padStart(5, "0")}-of-00012.gz`;
}

function isTFRecordFile(path: string): boolean {
  return path.endsWith(".gz") || path.endsWith(".tfrecord");
}

async function examplesOf(path: string): Promise<Example[]> {
  const out: Example[] = [];
  for await (const record of readTFRecords(path)) out.push(decodeExample(record));
  return out;
}

test("every TFRecord fixture reads with all CRCs checked and every record decodes", { skip }, async () => {
  const root = fixture("tfrecord");
  const files = walkFiles(root).filter(isTFRecordFile);
  assert.deepEqual(files.map((f) => relative(root, f)).sort(), Object.keys(EXPECTED_RECORDS).sort());
  for (const file of files) {
    const name = relative(root, file);
    const reader = readTFRecords(file, { verifyDataCrc: true });
    let count = 0;
    for await (const record of reader) {
      const decoded = name.startsWith("tfx_sequence_example/") ? decodeSequenceExample(record).featureLists : decodeExample(record);
      assert.ok(decoded.size > 0, `${name} record ${count} has features`);
      count++;
    }
    assert.equal(count, EXPECTED_RECORDS[name], name);
    assert.equal(reader.compression, name.endsWith(".gz") ? "gzip" : "none", name);
  }
});

test("MNIST: 1,000 records of 784 float pixels and an int64 class in 0..9", { skip }, async () => {
  const examples = await examplesOf(fixture("tfrecord", "tfx_mnist", "mnist.tfrecord"));
  assert.equal(examples.length, 1000);
  const classes = new Set<bigint>();
  for (const example of examples) {
    const image = example.get("image_floats");
    const label = example.get("image_class");
    assert.equal(image?.kind, "float");
    assert.equal(image.values.length, 784);
    assert.ok(label?.kind === "int64" && label.values.length === 1);
    classes.add(label.values[0]);
  }
  assert.deepEqual([...classes].sort((a, b) => Number(a - b)), [0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n]);
});

test("Chicago taxi shards contain present-but-empty features (TFX's missing values), with one kind per feature", { skip }, async () => {
  for (const [split, counts, expectedEmpty] of [
    ["Split-train", TAXI_TRAIN, 16967],
    ["Split-eval", TAXI_EVAL, 8884],
  ] as const) {
    const kinds = new Map<string, Set<FeatureKind>>();
    const empty = new Map<string, number>();
    let records = 0;
    for (let i = 0; i < counts.length; i++) {
      for (const example of await examplesOf(fixture("tfrecord", "tfx_taxi_csv_example_gen", split, shard(i)))) {
        records++;
        for (const [name, feature] of example) {
          if (feature.values.length === 0) empty.set(name, (empty.get(name) ?? 0) + 1);
          else kinds.set(name, (kinds.get(name) ?? new Set()).add(feature.kind));
        }
      }
    }
    assert.equal(records, counts.reduce((a, b) => a + b, 0));
    assert.equal([...empty.values()].reduce((a, b) => a + b, 0), expectedEmpty, split);
    assert.ok((empty.get("company") ?? 0) > 1000, split);
    if (split === "Split-eval") assert.equal(empty.get("pickup_census_tract"), records);
    else assert.equal(empty.get("pickup_census_tract"), records - 1);
    for (const [name, set] of kinds) assert.equal(set.size, 1, `${split} ${name} has one kind`);
    assert.deepEqual([...(kinds.get("company") ?? [])], ["bytes"]);
    assert.deepEqual([...(kinds.get("trip_seconds") ?? [])], ["int64"]);
    assert.deepEqual([...(kinds.get("fare") ?? [])], ["float"]);
  }
});

test("the SequenceExample fixture: context i/f (some missing) and a 2-step bytes feature list", { skip }, async () => {
  let records = 0;
  let missing = 0;
  for await (const record of readTFRecords(fixture("tfrecord", "tfx_sequence_example", "data_tfrecord-00000-of-00001.gz"))) {
    const { context, featureLists } = decodeSequenceExample(record, { kinds: { i: "int64", f: "float" } });
    records++;
    const i = context.get("i");
    const f = context.get("f");
    assert.ok(i?.kind === "int64" && f?.kind === "float");
    if (i.values.length === 0) missing++;
    else assert.equal(Number(i.values[0]), f.values[0]);
    const steps = featureLists.get("s");
    assert.equal(steps?.length, 2);
    assert.deepEqual(
      steps.map((step) => step.kind),
      ["bytes", "bytes"],
    );
  }
  assert.equal(records, 15000);
  assert.equal(missing, 1500);
});
