import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "../../src/core/pipeline.js";
import type { RunResult } from "../../src/client/client.js";
import { trainer } from "../../src/train/steps.js";
import { ModelArtifact } from "../../src/train/model-artifact.js";
import { fileIO } from "../../src/train/io-handler.js";
import { useBackend } from "../../src/train/backend.js";
import { readEvents, readScalars } from "../../src/data/events/index.js";
import { HAS_SHARED, SHARED } from "../helpers.js";
import { deriveSeed } from "../../src/core/rng.js";
import type { Event } from "../../src/data/events/types.js";
import { adelieSpec, massSpec, speciesSpec } from "./penguins.js";
import { penguinSource, project, specSource } from "./pipeline-helpers.js";

const trainPipeline = (spec: unknown, params: Record<string, unknown>, source: Record<string, unknown> = {}) =>
  pipeline({
    name: "train_penguins",
    build: () => {
      const { dataset } = penguinSource(undefined, { params: source });
      const { spec: s } = specSource(undefined, { params: { spec } });
      trainer({ dataset, spec: s }, { params });
    },
  });

async function modelOf(koan: { load(ref: unknown): Promise<unknown> }, r: RunResult): Promise<ModelArtifact> {
  assert.equal(r.status, "succeeded", r.error?.message);
  const m = await koan.load(r.outputs.trainer?.model as never);
  assert.ok(ModelArtifact.is(m));
  return m;
}

const sha = async (file: string) => createHash("sha256").update(await readFile(file)).digest("hex");

test("the feed-forward trainer learns penguin species; the model is TF.js Layers format with its info, metrics and logs", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await koan.run(trainPipeline(speciesSpec, { epochs: 8, batchSize: 16, hiddenUnits: [16], learningRate: 0.02 }), { seed: 3 });
    const m = await modelOf(koan, r);
    assert.deepEqual((await readdir(m.folder)).sort(), ["koan-model.json", "model.json", "weights.bin"]);
    const json = JSON.parse(await readFile(join(m.folder, "model.json"), "utf8"));
    assert.equal(json.format, "layers-model");
    assert.deepEqual(json.weightsManifest[0].paths, ["weights.bin"]);
    assert.deepEqual(json.weightsManifest[0].weights.map((w: { name: string }) => w.name), ["hidden_1/kernel", "hidden_1/bias", "output/kernel", "output/bias"]);
    assert.equal(m.info.framework, "tfjs-layers");
    assert.equal(m.info.seed, deriveSeed(3, "trainer"), "the step's seed is recorded");
    assert.equal(m.info.outputs, 3);
    assert.equal(m.info.epochs, 8);
    assert.equal(m.info.history.loss?.length, 8);
    assert.ok((m.info.history.val_accuracy?.at(-1) ?? 0) > 0.9, `val accuracy ${m.info.history.val_accuracy}`);
    // Loadable by tf.loadLayersModel through the file IOHandler; predictions agree with the predictor.
    const { tf } = await useBackend("wasm");
    const loaded = await tf.loadLayersModel(fileIO(join(m.folder, "model.json")));
    const row = { bill_length: -0.9, bill_depth: 0.8, flipper: -1.4, island: [0, 0, 1] };
    const direct = Array.from(await (loaded.predict(tf.tensor2d([[-0.9, 0.8, -1.4, 0, 0, 1]])) as ReturnType<typeof tf.tensor>).data());
    loaded.dispose();
    const predictor = await m.predictor({ backend: "wasm" });
    const [p] = await predictor.predict([row]);
    predictor.dispose();
    assert.deepEqual(p, direct);
    assert.equal(direct.indexOf(Math.max(...direct)), 0, "a short-billed Torgersen penguin is an Adelie");
    // Per-epoch metrics in the metadata store.
    const metrics = await koan.metadata.metricsOfRun(r.runId);
    const valAcc = metrics.filter((x) => x.name === "val_accuracy").sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
    assert.deepEqual(valAcc.map((x) => x.step), [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(valAcc.map((x) => x.value), m.info.history.val_accuracy);
    // The artifact's metadata carries the headline facts.
    const meta = r.outputs.trainer?.model?.meta as Record<string, unknown>;
    assert.equal(meta.framework, "tfjs-layers");
    assert.equal(meta.task, "multiclass");
    assert.equal(r.outputs.trainer?.model?.type, "model");
  } finally {
    await cleanup();
  }
});

test("same seed, cache off: bit-identical weights (with dropout and shuffling); another seed differs", async () => {
  const { koan, cleanup } = await project();
  try {
    for (const backend of ["wasm", "cpu"]) {
      const p = trainPipeline(adelieSpec, { epochs: 2, batchSize: 8, hiddenUnits: [8, 8], dropout: 0.3, backend });
      const a = await modelOf(koan, await koan.run(p, { seed: 11, cache: false }));
      const b = await modelOf(koan, await koan.run(p, { seed: 11, cache: false }));
      const c = await modelOf(koan, await koan.run(p, { seed: 12, cache: false }));
      const [wa, wb, wc] = await Promise.all([a, b, c].map((m) => sha(join(m.folder, "weights.bin"))));
      assert.equal(wa, wb, `${backend}: same seed gives the same weights`);
      assert.notEqual(wa, wc, `${backend}: another seed gives other weights`);
      assert.equal(await sha(join(a.folder, "model.json")), await sha(join(b.folder, "model.json")));
      assert.deepEqual(a.info.history, b.info.history);
      assert.equal(a.info.backend, backend);
    }
  } finally {
    await cleanup();
  }
});

test("a streamed split (over the memory limit) trains deterministically too", async () => {
  const { koan, cleanup } = await project();
  try {
    const p = trainPipeline(massSpec, { epochs: 3, batchSize: 16, hiddenUnits: [8], inMemoryLimitMb: 0, shuffleBuffer: 50, learningRate: 0.05 });
    const a = await modelOf(koan, await koan.run(p, { seed: 5, cache: false }));
    const b = await modelOf(koan, await koan.run(p, { seed: 5, cache: false }));
    assert.equal(await sha(join(a.folder, "weights.bin")), await sha(join(b.folder, "weights.bin")));
    assert.equal(a.info.outputs, 1);
    assert.ok((a.info.history.loss?.[2] ?? 99) < (a.info.history.loss?.[0] ?? 0), `loss decreases: ${a.info.history.loss}`);
    const log = await koan.stepLog((await koan.runDetails((await koan.runs({ limit: 1 }))[0]?.id as string)).steps.find((s) => s.step === "trainer") as never);
    assert.match(log, /streamed/);
  } finally {
    await cleanup();
  }
});

test("early stopping stops when val_loss stops improving and keeps the best epoch's weights", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await koan.run(
      trainPipeline(adelieSpec, { epochs: 60, batchSize: 8, hiddenUnits: [32], learningRate: 0.05, earlyStopping: { patience: 2 } }),
      { seed: 1 },
    );
    const m = await modelOf(koan, r);
    const vl = m.info.history.val_loss as number[];
    assert.ok(m.info.stoppedEarly, `stopped early (${vl.length} epochs)`);
    assert.equal(vl.length, m.info.epochs);
    assert.ok(m.info.epochs < 60);
    assert.equal(m.info.epochs, m.info.bestEpoch + 3, "patience 2: two epochs without improvement after the best");
    assert.equal(Math.min(...vl), vl[m.info.bestEpoch]);
  } finally {
    await cleanup();
  }
});

test("TensorBoard logs: train/ and validation/ event files with epoch scalars, laid out like the Keras callback", async () => {
  const { koan, cleanup } = await project();
  try {
    const r = await koan.run(trainPipeline(speciesSpec, { epochs: 3, batchSize: 32, hiddenUnits: [8] }), { seed: 2 });
    assert.equal(r.status, "succeeded", r.error?.message);
    const logs = (await koan.load(r.outputs.trainer?.logs as never)) as string;
    const m = await modelOf(koan, r);
    const read = async (dir: string) => {
      const files = (await readdir(dir)).filter((f) => f.includes("tfevents") && !f.endsWith("profile-empty"));
      assert.equal(files.length, 1, dir);
      let first: Event | undefined;
      for await (const e of readEvents(join(dir, files[0] as string))) {
        first = e;
        break;
      }
      const byTag: Record<string, [number, number][]> = {};
      for await (const s of readScalars(join(dir, files[0] as string))) (byTag[s.tag] ??= []).push([s.step, s.value]);
      return { fileVersion: first?.fileVersion, name: files[0] as string, byTag };
    };
    const train = await read(join(logs, "train"));
    const val = await read(join(logs, "validation"));
    assert.equal(train.fileVersion, "brain.Event:2");
    assert.match(train.name, /^events\.out\.tfevents\.\d{10}\..+\.v2$/);
    assert.deepEqual(Object.keys(train.byTag).sort(), ["epoch_accuracy", "epoch_loss"]);
    assert.deepEqual(Object.keys(val.byTag).sort(), ["epoch_accuracy", "epoch_loss"]);
    assert.deepEqual(train.byTag.epoch_loss?.map(([s]) => s), [0, 1, 2]);
    assert.deepEqual(train.byTag.epoch_loss?.map(([, v]) => v), m.info.history.loss?.map((v) => Math.fround(v)));
    assert.deepEqual(val.byTag.epoch_accuracy?.map(([, v]) => v), m.info.history.val_accuracy?.map((v) => Math.fround(v)));
    if (!HAS_SHARED) return void console.log("# skip Keras fixture comparison: ../shared/fixtures absent");
    // The real Keras (TF2) logs: same folders, same tag naming, epochs from 0, TF2 tensor scalars the same reader reads.
    const keras = join(SHARED, "fixtures", "events", "tfx_keras_tf2_iris");
    const kt = await read(join(keras, "train"));
    const kv = await read(join(keras, "validation"));
    assert.equal(kt.fileVersion, "brain.Event:2");
    assert.ok("epoch_loss" in kt.byTag && "epoch_loss" in kv.byTag);
    assert.equal(kt.byTag.epoch_loss?.[0]?.[0], 0);
    assert.deepEqual(Object.keys(kv.byTag).map((t) => t.replace(/sparse_categorical_accuracy/, "accuracy")).sort(), Object.keys(val.byTag).sort());
    const events: Event[] = [];
    for await (const e of readEvents(join(logs, "train", train.name))) events.push(e);
    const kevents: Event[] = [];
    for await (const e of readEvents(join(keras, "train", kt.name))) kevents.push(e);
    const shape = (e: Event) => ({ kind: e.kind, value: e.summary?.[0]?.kind, hasWallTime: e.wallTime !== undefined });
    const mine = shape(events.find((e) => e.summary?.[0]?.tag === "epoch_loss") as never);
    const theirs = shape(kevents.find((e) => e.summary?.[0]?.tag === "epoch_loss") as never);
    assert.deepEqual(mine, theirs);
    for (const dir of ["guild_keras_tf1", "guild_minimal", "tfx_trainer_train"]) {
      const folder = join(SHARED, "fixtures", "events", dir);
      const file = (await readdir(folder)).find((f) => f.includes("tfevents")) as string;
      let n = 0;
      for await (const _ of readScalars(join(folder, file))) n++;
      assert.ok(n > 0, `${dir} has scalars`);
    }
  } finally {
    await cleanup();
  }
});

test("binary and regression heads: sigmoid / linear outputs, accuracy / MAE metrics", async () => {
  const { koan, cleanup } = await project();
  try {
    const b = await modelOf(koan, await koan.run(trainPipeline(adelieSpec, { epochs: 4, batchSize: 16, hiddenUnits: [8], learningRate: 0.02, validationSplit: null }), { seed: 4 }));
    assert.deepEqual(Object.keys(b.info.history).sort(), ["accuracy", "loss"]);
    const json = JSON.parse(await readFile(join(b.folder, "model.json"), "utf8"));
    const layers = json.modelTopology.config.layers;
    assert.equal(layers.at(-1).config.activation, "sigmoid");
    assert.equal(layers.at(-1).config.units, 1);
    const g = await modelOf(koan, await koan.run(trainPipeline(massSpec, { epochs: 4, batchSize: 16, hiddenUnits: [8], learningRate: 0.02, optimizer: "rmsprop" }), { seed: 4 }));
    assert.deepEqual(Object.keys(g.info.history).sort(), ["loss", "mae", "val_loss", "val_mae"]);
    const gj = JSON.parse(await readFile(join(g.folder, "model.json"), "utf8"));
    assert.equal(gj.modelTopology.config.layers.at(-1).config.activation, "linear");
  } finally {
    await cleanup();
  }
});
