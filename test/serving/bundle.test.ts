/**
 * Serving real bundles: the quickstart's bundle served by `koan serve <run>` (KServe V2, TF Serving, Vertex), scored
 * by `koan predict` and the batch inference step, and deployed locally — every answer equal to the in-process
 * bundle's predictions.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { copyFile, rm } from "node:fs/promises";
import { join } from "node:path";
import quickstart from "../../examples/quickstart/pipeline.js";
import { Koan } from "../../src/client/client.js";
import { Dataset } from "../../src/data/dataset/dataset.js";
import { loadBundle } from "../../src/bundle/load.js";
import type { ServingBundle } from "../../src/bundle/bundle.js";
import { trainingPipeline } from "../../src/pipelines/training.js";
import { batchPredict } from "../../src/serving/batch/step.js";
import { koan as koanCli, REPO, spawnKoan, tempDir, waitFor } from "../helpers.js";
import { call } from "./helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let koan: Koan;
let runId: string;
let bundle: ServingBundle;
let evalRows: Record<string, unknown>[];

const FEATURES = ["Island", "Beak Length (mm)", "Beak Depth (mm)", "Flipper Length (mm)", "Body Mass (g)", "Sex"] as const;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  koan = await Koan.open({ dir, init: true });
  const r = await koan.run(quickstart);
  assert.equal(r.status, "succeeded", r.error?.message);
  runId = r.runId;
  bundle = await loadBundle(runId, { koan });
  const split = (await koan.load(`${runId}/split/dataset`)) as Dataset;
  evalRows = [];
  for await (const row of split.rows("eval", { int64: "number" })) evalRows.push(row);
});

after(async () => {
  bundle?.dispose();
  await koan?.close();
  await cleanup?.();
});

function complete(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.filter((r) => FEATURES.every((f) => r[f] !== null && r[f] !== undefined));
}

test("koan serve <run> answers KServe V2 and TF Serving requests with the bundle's predictions", async () => {
  const rows = complete(evalRows).slice(0, 12);
  const want = await bundle.predictNamed(rows);
  const readyFile = join(dir, "serve-ready.json");
  const child = spawnKoan(["serve", runId, "--port", "0", "--ready-file", readyFile], dir);
  let out = "";
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  try {
    await waitFor(() => existsSync(readyFile), 30_000, "the server's ready file");
    const { url } = JSON.parse(readFileSync(readyFile, "utf8")) as { url: string };
    const meta = await call(`${url}/v2/models/quickstart`);
    assert.equal(meta.status, 200, meta.text);
    assert.deepEqual((meta.body.inputs as { name: string }[]).map((i) => i.name).sort(), [...FEATURES].sort());
    const datatype: Record<string, string> = { Island: "BYTES", Sex: "BYTES", "Body Mass (g)": "INT64" };
    const v2 = await call(`${url}/v2/models/quickstart/infer`, {
      id: "q1",
      inputs: FEATURES.map((f) => ({ name: f, datatype: datatype[f] ?? "FP32", shape: [rows.length], data: rows.map((r) => r[f]) })),
    });
    assert.equal(v2.status, 200, v2.text);
    const outputs = v2.body.outputs as { name: string; data: unknown[]; shape: number[] }[];
    assert.deepEqual(outputs.find((o) => o.name === "class")?.data, want.map((w) => w.class));
    const probs = outputs.find((o) => o.name === "probabilities");
    assert.deepEqual(probs?.shape, [rows.length, 3]);
    assert.deepEqual(probs?.data, want.flatMap((w) => w.probabilities as number[]).map((p) => Math.fround(p)));
    const tfs = await call(`${url}/v1/models/quickstart:predict`, { instances: rows.map((r) => Object.fromEntries(FEATURES.map((f) => [f, r[f]]))) });
    assert.equal(tfs.status, 200, tfs.text);
    assert.deepEqual((tfs.body.predictions as { class: string }[]).map((p) => p.class), want.map((w) => w.class));
    const bad = await call(`${url}/v2/models/quickstart/infer`, { inputs: [{ name: "Beak Length", datatype: "FP32", shape: [1], data: [40] }] });
    assert.equal(bad.status, 400);
    assert.match(String(bad.body.error), /Beak Length/);
    const live = await call(`${url}/v2/health/ready`);
    assert.equal(live.status, 200);
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  assert.doesNotMatch(out, /Error/);
});

test("koan predict <run> <dataset> scores raw rows into a predictions dataset", async () => {
  const outDir = join(dir, "preds");
  const r = await koanCli(["predict", runId, `${runId}/split/dataset`, "--split", "eval", "--keep", "Species", "--out", outDir, "--json"], dir);
  assert.equal(r.code, 0, r.stderr);
  const preds = await Dataset.open(outDir);
  const got: Record<string, unknown>[] = [];
  for await (const row of preds.rows("eval")) got.push(row);
  assert.equal(got.length, evalRows.length);
  const want = await bundle.predictNamed(evalRows);
  assert.deepEqual(got.map((g) => g.class), want.map((w) => w.class));
  assert.deepEqual(got.map((g) => g.Species), evalRows.map((e) => e.Species));
});

test("the batch inference step scores a split with the pipeline's bundle, tracked and cached", async () => {
  const scoring = trainingPipeline({
    ...{ name: "quickstart_scoring", seed: 42 },
    source: { path: ((await koan.runDetails(runId)).steps.find((s) => s.step === "source")?.params as { path: string }).path },
    split: { ratios: { train: 0.7, eval: 0.3 } },
    preprocess: { label: "Species" },
    train: { hiddenUnits: [16], epochs: 60, batchSize: 16, learningRate: 0.01, earlyStopping: { patience: 8 } },
    evaluate: (b, splits) => void batchPredict({ model: b, dataset: splits }, { params: { splits: ["eval"], keep: ["Species"] } }),
  });
  const r = await koan.run(scoring);
  assert.equal(r.status, "succeeded", r.error?.message);
  assert.equal(r.steps.find((s) => s.step === "trainer")?.cacheHit, true, "the same training is a cache hit across pipelines");
  const preds = (await koan.load(r.outputs.batch_predict?.predictions as never)) as Dataset;
  const classes: unknown[] = [];
  for await (const row of preds.rows("eval")) classes.push(row.class);
  assert.deepEqual(classes, (await bundle.predictNamed(evalRows)).map((w) => w.class));
});

test("koan deploy <run> --to local serves the bundle in the background; undeploy stops it", async () => {
  const d = await koanCli(["deploy", runId, "--to", "local", "--json"], dir);
  assert.equal(d.code, 0, d.stderr);
  const { deployment } = JSON.parse(d.stdout) as { deployment: { id: string; endpoint: string | null } };
  try {
    assert.ok(deployment.endpoint, "a local deployment has an endpoint");
    const rows = complete(evalRows).slice(0, 1);
    const ans = await call(`${deployment.endpoint}/v1/models/quickstart:predict`, { instances: rows.map((r) => Object.fromEntries(FEATURES.map((f) => [f, r[f]]))) });
    assert.equal(ans.status, 200, ans.text);
    assert.equal((ans.body.predictions as { class: string }[])[0]?.class, (await bundle.predictNamed(rows))[0]?.class);
    const lineage = await koanCli(["lineage", `${runId}/bundle/bundle`, "--down"], dir);
    assert.match(lineage.stdout, /deploy/);
  } finally {
    const u = await koanCli(["undeploy", deployment.id], dir);
    assert.equal(u.code, 0, u.stderr);
  }
});

test("koan deploy --to docker: the build context's entry point serves the real bundle under the deployment's name", async () => {
  const { deploy } = await import("../../src/serving/deploy/deploy.js");
  const { freePort } = await import("../stacks/postgres-server.js");
  const { record } = await deploy(koan, { ref: runId, target: "docker", name: "penguins", config: { build: "never", out: join(dir, "image") } });
  assert.ok(record);
  const context = String(record.state.dir);
  assert.ok(existsSync(join(context, "bundle", "koan-bundle.json")), "the bundle's manifest is in the context");
  assert.ok(existsSync(join(context, "bundle", "model", "model.json")), "the TF.js model is in the context");
  // Run the image's entry point here (it imports "koan": placed inside this package, the name resolves to it).
  const entry = join(REPO, "dist", `.docker-entry-${process.pid}.mjs`);
  await copyFile(join(context, "server.mjs"), entry);
  const port = await freePort();
  const child = spawn(process.execPath, [entry], { env: { ...process.env, KOAN_BUNDLE: join(context, "bundle"), PORT: String(port), KOAN_GRPC_PORT: "0", KOAN_HOST: "127.0.0.1" }, stdio: "ignore" });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/v2/health/ready`).catch(() => undefined))?.ok === true, 30_000, "the container entry point");
    const meta = await call(`${url}/v2/models/penguins`);
    assert.equal(meta.status, 200, meta.text);
    assert.equal(meta.body.name, "penguins");
    const rows = complete(evalRows).slice(0, 3);
    const ans = await call(`${url}/v1/models/penguins:predict`, { instances: rows.map((r) => Object.fromEntries(FEATURES.map((f) => [f, r[f]]))) });
    assert.deepEqual((ans.body.predictions as { class: string }[]).map((p) => p.class), (await bundle.predictNamed(rows)).map((w) => w.class));
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await rm(entry, { force: true });
  }
});
