import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileIO } from "../../src/train/io-handler.js";
import { useBackend } from "../../src/train/backend.js";
import { HAS_SHARED, SHARED, tempDir } from "../helpers.js";

const FIXTURES = join(SHARED, "fixtures", "tfjs");

test("TF.js Layers models from TensorFlow.js load through the file IOHandler and predict as expected", async (t) => {
  if (!HAS_SHARED || !existsSync(FIXTURES)) return t.skip("../shared/fixtures/tfjs absent");
  const { tf } = await useBackend("cpu");
  const folders = await readdir(FIXTURES);
  assert.ok(folders.length >= 2);
  // Embedding + GRU model with the prediction TF.js's own integration test expects.
  const gruDir = join(FIXTURES, "embedding_gru_layers_model");
  const expected = JSON.parse(await readFile(join(gruDir, "expected_predict.json"), "utf8")) as { input: { shape: number[]; values: number[] }; expected_output: number[] };
  const gru = await tf.loadLayersModel(fileIO(gruDir));
  const out = Array.from(await (gru.predict(tf.tensor(expected.input.values, expected.input.shape)) as ReturnType<typeof tf.tensor>).data());
  gru.dispose();
  assert.equal(out.length, expected.expected_output.length);
  out.forEach((v, i) => assert.ok(Math.abs(v - (expected.expected_output[i] as number)) < 1e-6, `output ${i}: ${v} vs ${expected.expected_output[i]}`));
  // A v1.2.7 dense model whose weight path starts with "./": prediction = x·W + b computed by hand from the weight bytes.
  const denseJson = join(FIXTURES, "dense_layers_model_v1.2.7", "bundle_model_test.json");
  const dense = await tf.loadLayersModel(fileIO(denseJson));
  const bytes = await readFile(join(FIXTURES, "dense_layers_model_v1.2.7", "bundle_model_test_weights.bin"));
  const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const x = Array.from({ length: 10 }, (_, i) => i - 4.5);
  const byHand = Math.fround(x.reduce((s, xi, i) => s + xi * (floats[i] as number), floats[10] as number));
  const [pred] = Array.from(await (dense.predict(tf.tensor2d([x])) as ReturnType<typeof tf.tensor>).data());
  dense.dispose();
  assert.ok(Math.abs((pred as number) - byHand) < 1e-5, `${pred} vs ${byHand}`);
});

test("save then load round-trips a model bit for bit; weight paths may not leave the model's folder", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    const { tf } = await useBackend("cpu");
    const m = tf.sequential();
    m.add(tf.layers.dense({ name: "d", units: 2, inputShape: [3], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    const saved = await m.save(fileIO(join(dir, "m")));
    assert.ok((saved.modelArtifactsInfo.weightDataBytes ?? 0) === 4 * (3 * 2 + 2));
    assert.deepEqual((await readdir(join(dir, "m"))).sort(), ["model.json", "weights.bin"]);
    const back = await tf.loadLayersModel(fileIO(join(dir, "m", "model.json")));
    const a = m.getWeights().map((w) => Array.from(w.dataSync()));
    const b = back.getWeights().map((w) => Array.from(w.dataSync()));
    assert.deepEqual(b, a);
    const json = JSON.parse(await readFile(join(dir, "m", "model.json"), "utf8"));
    json.weightsManifest[0].paths = ["../outside.bin"];
    await mkdir(join(dir, "evil"));
    await writeFile(join(dir, "evil", "model.json"), JSON.stringify(json));
    await assert.rejects(tf.loadLayersModel(fileIO(join(dir, "evil"))), /weight path "\.\.\/outside\.bin" leaves the model's folder/);
    await assert.rejects(tf.loadLayersModel(fileIO(join(dir, "nothing"))), /no TF\.js model at/);
    m.dispose();
    back.dispose();
  } finally {
    await cleanup();
  }
});

test("backends: wasm (SIMD) and cpu start; tensorflow (tfjs-node) is optional and reported when absent", async () => {
  const wasm = await useBackend("wasm");
  assert.equal(wasm.backend, "wasm");
  assert.equal(wasm.tf.getBackend(), "wasm");
  assert.equal(wasm.tf.env().getBool("WASM_HAS_SIMD_SUPPORT"), true);
  const cpu = await useBackend("cpu");
  assert.equal(cpu.tf.getBackend(), "cpu");
  const nodeInstalled = await import("@tensorflow/tfjs-node" as string).then(() => true, () => false);
  const auto = await useBackend("auto");
  if (nodeInstalled) {
    assert.equal(auto.backend, "tensorflow");
  } else {
    assert.equal(auto.backend, "wasm");
    assert.match(auto.notes.join("\n"), /@tensorflow\/tfjs-node is not installed/);
    await assert.rejects(useBackend("tensorflow"), /backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed/);
  }
});
