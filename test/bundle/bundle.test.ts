/**
 * The serving bundle: one artifact (transform + model + signature) loadable by one call, whose predictions on raw
 * eval rows equal, bit for bit, the evaluator's predictions on the transformed rows.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import quickstart from "../../examples/quickstart/pipeline.js";
import { loadBundle } from "../../src/bundle/load.js";
import { ServingBundle } from "../../src/bundle/bundle.js";
import { writeBundle } from "../../src/bundle/write.js";
import { BUNDLE_MANIFEST } from "../../src/bundle/format.js";
import { Koan } from "../../src/client/client.js";
import type { Dataset } from "../../src/data/dataset/dataset.js";
import { evaluateModel } from "../../src/evaluate/evaluate.js";
import type { Evaluation } from "../../src/evaluate/types.js";
import type { ModelArtifact } from "../../src/train/model-artifact.js";
import type { Prediction } from "../../src/train/predictor.js";
import type { FittedTransform } from "../../src/transform/format.js";
import { tempDir } from "../helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let koan: Koan;
let runId: string;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  koan = await Koan.open({ dir, init: true });
  const r = await koan.run(quickstart);
  assert.equal(r.status, "succeeded", r.error?.message);
  runId = r.runId;
});

after(async () => {
  await koan?.close();
  await cleanup?.();
});

async function rowsOf(d: Dataset, split: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const r of d.rows(split, { int64: "number" })) rows.push(r);
  return rows;
}

test("bundle predictions on raw eval rows equal the evaluator's predictions on transformed rows, bit for bit", async () => {
  const artifact = await koan.resolveArtifact(`${runId}/bundle/bundle`);
  assert.equal(artifact.type, "bundle");
  // One call, from the artifact's URI as the metadata store records it (read from the store directly).
  const bundle = await loadBundle(artifact.uri, { scratch: join(dir, "bundle-scratch") });
  const raw = (await koan.load(`${runId}/split/dataset`)) as Dataset;
  const rawEval = await rowsOf(raw, "eval");
  const fromBundle = await bundle.predict(rawEval);
  assert.equal(fromBundle.length, rawEval.length);

  // The other path: the model artifact's predictor on the transformed dataset, inside the model-agnostic evaluator.
  const transformed = (await koan.load(`${runId}/preprocess/dataset`)) as Dataset;
  const model = (await koan.load(`${runId}/trainer/model`)) as ModelArtifact;
  const predictor = await model.predictor();
  const seen: Prediction[] = [];
  const evaluation = await evaluateModel({
    dataset: transformed,
    predict: async (rows) => {
      const p = await predictor.predict(rows);
      seen.push(...p);
      return p;
    },
    label: model.spec.label,
    splits: ["eval"],
  });
  predictor.dispose();
  assert.equal(seen.length, fromBundle.length);
  for (let i = 0; i < seen.length; i++) {
    const a = seen[i] as readonly number[];
    const b = fromBundle[i] as readonly number[];
    assert.equal(a.length, 3);
    for (let k = 0; k < 3; k++) assert.ok(Object.is(a[k], b[k]), `row ${i} class ${k}: ${a[k]} vs ${b[k]}`);
  }
  // The pipeline's evaluator scored the bundle on raw rows: same overall metrics as the transformed path.
  const stored = (await koan.load(`${runId}/evaluator/evaluation`)) as Evaluation;
  assert.deepEqual(stored.splits[0]?.overall.metrics, evaluation.splits[0]?.overall.metrics);
  assert.ok((stored.splits[0]?.overall.metrics.accuracy ?? 0) > 0.9);
  assert.equal(stored.blessing.blessed, true);
  bundle.dispose();
});

test("a bundle names its raw inputs and outputs, and predicts classes by name", async () => {
  const bundle = await loadBundle(`${runId}/bundle/bundle`, { koan });
  const names = bundle.signature.inputs.map((i) => i.name).sort();
  assert.deepEqual(names, ["Beak Depth (mm)", "Beak Length (mm)", "Body Mass (g)", "Flipper Length (mm)", "Island", "Sex"]);
  assert.equal(bundle.signature.inputs.find((i) => i.name === "Island")?.datatype, "BYTES");
  assert.equal(bundle.signature.inputs.find((i) => i.name === "Body Mass (g)")?.datatype, "INT64");
  assert.deepEqual(bundle.signature.outputs.map((o) => [o.name, o.datatype, o.shape]), [
    ["probabilities", "FP32", [-1, 3]],
    ["class", "BYTES", [-1]],
  ]);
  const [gentoo, adelie] = await bundle.predictNamed([
    { Island: "Biscoe", "Beak Length (mm)": 49.9, "Beak Depth (mm)": 16.1, "Flipper Length (mm)": 213, "Body Mass (g)": 5400, Sex: "MALE" },
    { Island: "Torgersen", "Beak Length (mm)": 39.1, "Beak Depth (mm)": 18.7, "Flipper Length (mm)": 181, "Body Mass (g)": 3750, Sex: "MALE" },
  ]);
  assert.equal(gentoo?.class, "Gentoo");
  assert.equal(adelie?.class, "Adelie");
  const probs = gentoo?.probabilities as number[];
  assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  // The run id alone finds its bundle; an exported folder loads the same way.
  const byRun = await loadBundle(runId, { koan });
  assert.equal(byRun.manifest.transformHash, bundle.manifest.transformHash);
  const exported = join(dir, "exported");
  await writeBundle(exported, { transform: bundle.transform, model: bundle.model });
  const fromFolder = await loadBundle(exported);
  assert.deepEqual(await fromFolder.predict([{ Island: "Dream", "Beak Length (mm)": 46.5 }]), await bundle.predict([{ Island: "Dream", "Beak Length (mm)": 46.5 }]));
  bundle.dispose();
  byRun.dispose();
  fromFolder.dispose();
});

test("bad bundles and mismatched parts are refused with a clear error", async () => {
  const bundle = await loadBundle(`${runId}/bundle/bundle`, { koan });
  const transform = bundle.transform;
  const other: FittedTransform = { ...transform, features: transform.features.slice(1) };
  await assert.rejects(writeBundle(join(dir, "bad"), { transform: other, model: bundle.model }), (e: Error & { code?: string }) => e.code === "DATA_INVALID" && /cannot bundle this model with this transform: the model has 6 inputs, the transform gives 5/.test(e.message));
  const empty = join(dir, "empty");
  await mkdir(empty, { recursive: true });
  await assert.rejects(loadBundle(empty), /is not a Koan serving bundle: it has no koan-bundle.json/);
  const future = join(dir, "future");
  await writeBundle(future, { transform, model: bundle.model });
  const manifest = JSON.parse(await readFile(join(future, BUNDLE_MANIFEST), "utf8")) as Record<string, unknown>;
  await writeFile(join(future, BUNDLE_MANIFEST), JSON.stringify({ ...manifest, version: 99 }));
  await assert.rejects(ServingBundle.open(future), (e: Error & { code?: string }) => e.code === "FORMAT_INVALID" && /newer than this Koan reads/.test(e.message));
  await assert.rejects(loadBundle(`${runId}/trainer/model`, { koan }), /is a model artifact, not a serving bundle/);
  await assert.rejects(bundle.predict([{ Island: "Dream", "Beak Length (mm)": "long" }]), /Beak Length \(mm\)/);
  bundle.dispose();
});
