import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Koan, pipeline, rowsSource, types, Dataset, type RunResult } from "../../src/index.js";
import { batchPredictStep } from "../../src/serving/batch/step.js";
import { koan as koanCli } from "../helpers.js";
import { penguinServable, predictPenguin, type PenguinWeights } from "./models.js";
import { modelProject, rawRows, train } from "./project.js";

const scoreWithWeights = batchPredictStep<PenguinWeights>({ name: "score", model: types.json<PenguinWeights>(), load: (w) => penguinServable(w) });

const scoring = pipeline({
  name: "penguin_scoring",
  build: () => {
    const { dataset } = rowsSource(undefined, { params: { rows: rawRows(), columns: { body_mass_g: "int64" }, shards: 2 } });
    const { weights } = train({ data: dataset });
    scoreWithWeights({ model: weights, dataset }, { params: { batchSize: 7, keep: ["island"] } });
  },
});

let project: { dir: string; koan: Koan; run: RunResult; cleanup: () => Promise<void> };
before(async () => {
  project = await modelProject();
});
after(() => project.cleanup());

test("the batch inference step scores a dataset in batches into a predictions dataset, tracked with lineage", async () => {
  const { koan } = project;
  const run = await koan.run(scoring);
  assert.equal(run.status, "succeeded", run.error?.message);
  const predictions = (await koan.load(run.outputs.score?.predictions as never)) as Dataset;
  const weights = (await koan.load(run.outputs.train?.weights as never)) as PenguinWeights;
  assert.deepEqual(predictions.splits, ["all"]);
  assert.equal(predictions.rowCount("all"), 40);
  assert.deepEqual(predictions.features, { island: "bytes", probabilities: "float", species: "bytes" });
  // Predictions are written in the order the input is read (shard by shard).
  const got: Record<string, unknown>[] = [];
  for await (const r of predictions.rows("all")) got.push(r);
  const source = (await koan.load(run.outputs.rows_source?.dataset as never)) as Dataset;
  const inputs: Record<string, unknown>[] = [];
  for await (const r of source.rows("all", { int64: "number" })) inputs.push(r);
  assert.equal(inputs.length, rawRows().length);
  got.forEach((row, i) => {
    const want = predictPenguin(inputs[i] as never, weights);
    assert.equal(row.island, inputs[i]?.island);
    assert.equal(row.species, want.species);
    assert.deepEqual(row.probabilities, want.probabilities.map((p) => Math.fround(p)));
  });
  const lineage = await koan.lineage(run.outputs.score?.predictions as never, "up");
  assert.deepEqual(lineage.nodes.filter((n) => n.kind === "step").map((n) => (n as { step: string }).step).sort(), ["rows_source", "score", "train"]);
  const again = await koan.run(scoring);
  assert.equal(again.steps.find((s) => s.step === "score")?.cacheHit, true);
});

test("a dataset without the model's inputs fails naming them, and writes nothing", async () => {
  const bad = pipeline({
    name: "bad_scoring",
    build: () => {
      const { dataset } = rowsSource(undefined, { params: { rows: rawRows() } });
      const { weights } = train({ data: dataset });
      const { dataset: other } = rowsSource(undefined, { name: "other", params: { rows: [{ island: "Dream" }] } });
      scoreWithWeights({ model: weights, dataset: other });
    },
  });
  const r = await project.koan.run(bad);
  assert.equal(r.status, "failed");
  assert.match(r.error?.message ?? "", /the dataset lacks the model's inputs "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"/);
  assert.equal(r.outputs.score, undefined);
});

test("koan deploy on the command line: blessing, dry run, lineage --down shows the deployment", async () => {
  const ref = `${project.run.runId}/train/bundle`;
  const dry = await koanCli(["deploy", ref, "--to", "seldon", "--dry-run", "--namespace", "ml", "--image", "reg/koan:1"], project.dir);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /kind: SeldonDeployment/);
  assert.match(dry.stdout, /image: reg\/koan:1/);
  const real = await koanCli(["deploy", ref, "--to", "kserve", "--name", "penguins", "--json"], project.dir);
  assert.equal(real.code, 0, real.stderr);
  const id = (JSON.parse(real.stdout) as { deployment: { id: string } }).deployment.id;
  const lineage = await koanCli(["lineage", ref, "--down"], project.dir);
  assert.match(lineage.stdout, /deploy step run/);
  const list = await koanCli(["deployments"], project.dir);
  assert.match(list.stdout, new RegExp(`${id}\\s+kserve\\s+penguins:`));
  const unblessed = await modelProject(2);
  try {
    const refused = await koanCli(["deploy", `${unblessed.run.runId}/train/bundle`, "--to", "kserve"], unblessed.dir);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /is not blessed/);
    assert.match(refused.stderr, /--force/);
  } finally {
    await unblessed.cleanup();
  }
});
