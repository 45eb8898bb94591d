/**
 * `koan export argo` over a shardable step: the step's task decides the fan-out at run time (`koan step-run
 * --fan-out`, its count an output parameter), a `withSequence` task computes one shard per pod, a merge task (only
 * when there were shards) merges them and records the step, and downstream steps depend on the merge. Valid
 * against Argo's JSON Schema and its templating rules, with the step's resources, retries and deadline on every
 * pod. `--parts` reads Argo's aggregate of the shards' outputs as it comes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseParts } from "../../src/cli/commands/step-run.js";
import { pipeline } from "../../src/core/pipeline.js";
import { step } from "../../src/core/step.js";
import { types as t } from "../../src/core/types.js";
import { argoWorkflow, BEGIN_TASK, type Obj } from "../../src/export/argo.js";
import { fanOutCommand, mergeCommand, shardCommand } from "../../src/export/argo-shards.js";
import { stepTasks, templateSteps } from "../../src/export/argo-tasks.js";
import { shardableStep } from "../../src/shards/define.js";
import { lintArgo } from "./argo-lint.js";
import { SCHEMA_SKIP, validateArgo, WORKFLOW_DEF } from "./argo-schema.js";
import { teamStack } from "./argo-harness.js";

const skip = SCHEMA_SKIP;
const WORKFLOW = WORKFLOW_DEF;
const IMAGE = "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c";
const stack = teamStack;

const load = step({ name: "load", outputs: { rows: t.json<number[]>() }, run: () => ({ rows: [1, 2, 3] }) });
const sum = shardableStep({
  name: "sum_rows",
  inputs: { rows: t.json<number[]>() },
  outputs: { total: t.json<number>() },
  retries: 2,
  retryDelayMs: 1000,
  timeoutMs: 60_000,
  resources: { cpu: 2, memory: "4Gi" },
  shards: { count: ({ rows }) => rows.length, map: (_c, { rows }, _p, { index }) => rows[index] ?? 0, merge: (_c, _i, _p, parts) => ({ total: (parts as number[]).reduce((a, b) => a + b, 0) }) },
});
// A step whose name would collide with the shardable step's merge task.
const clash = step({ name: "sum_rows_merge", inputs: { rows: t.json<number[]>() }, outputs: { n: t.json<number>() }, run: (_c, { rows }) => ({ n: rows.length }) });
const report = step({ name: "report", inputs: { total: t.json<number>(), n: t.json<number>() }, outputs: { text: t.json<string>() }, run: (_c, { total, n }) => ({ text: `${total}/${n}` }) });
const sharded = pipeline({
  name: "sharded",
  build: () => {
    const { rows } = load();
    const { total } = sum({ rows });
    const { n } = clash({ rows });
    report({ total, n });
  },
});

type Param = { name: string; value?: string; valueFrom?: { path: string } };
type Task = { name: string; template: string; depends?: string; arguments?: { parameters: Param[] }; withSequence?: { count: string }; when?: string };
type Template = { name: string; container?: { command: string[]; resources?: unknown }; dag?: { tasks: Task[] }; retryStrategy?: Obj; activeDeadlineSeconds?: string; inputs?: { parameters: Param[] }; outputs?: { parameters: Param[] } };
const templates = (wf: { spec: { templates: Obj[] } }) => wf.spec.templates as unknown as Template[];
const tmpl = (wf: { spec: { templates: Obj[] } }, name: string) => templates(wf).find((x) => x.name === name) as Template;

describe("argo workflow of a shardable step", () => {
  const wf = argoWorkflow({ pipeline: sharded, pipelineFile: "pipelines/sharded.ts", image: IMAGE, stack });
  const attached = argoWorkflow({ pipeline: sharded, pipelineFile: "pipelines/sharded.ts", image: IMAGE, stack, runId: "r-m7u2k1a0-9f2c4e1ab3d0" });
  const dag = tmpl(wf, "koan").dag as { tasks: Task[] };
  const task = (name: string) => dag.tasks.find((x) => x.name === name) as Task;

  it("is valid per Argo's JSON Schema and templating rules, in both shapes", { skip }, () => {
    assert.deepEqual(validateArgo(WORKFLOW, wf), []);
    assert.deepEqual(validateArgo(WORKFLOW, attached), []);
    assert.deepEqual(lintArgo(wf), []);
    assert.deepEqual(lintArgo(attached), []);
  });

  it("has the step's task, a fan-out over the shards and a merge; downstream steps depend on the merge", () => {
    const names = stepTasks(sharded);
    assert.deepEqual(names.get("sum_rows"), { task: "sum-rows", shard: "sum-rows-shard", merge: "sum-rows-merge" });
    assert.deepEqual(names.get("sum_rows_merge"), { task: "sum-rows-merge-2" }, "no clash with the merge task");
    assert.deepEqual(dag.tasks.map((x) => x.name), [BEGIN_TASK, "load", "sum-rows", "sum-rows-shard", "sum-rows-merge", "sum-rows-merge-2", "report"]);
    assert.equal(task("sum-rows").depends, `${BEGIN_TASK} && load`);
    assert.equal(task("sum-rows-shard").depends, "sum-rows");
    assert.equal(task("sum-rows-merge").depends, "sum-rows-shard");
    assert.equal(task("report").depends, `${BEGIN_TASK} && sum-rows-merge && sum-rows-merge-2`);
    assert.equal(templateSteps(sharded).get("sum-rows-shard")?.role, "shard");
    assert.equal(templateSteps(sharded).get("sum-rows-merge-2")?.step, "sum_rows_merge");
  });

  it("takes the shard count from the fan-out's output at run time, one pod per shard, and merges only when there were shards", () => {
    const count = "{{tasks.sum-rows.outputs.parameters.shards}}";
    assert.deepEqual(tmpl(wf, "sum-rows").outputs, { parameters: [{ name: "shards", valueFrom: { path: "/tmp/koan-shards" } }] });
    assert.deepEqual(task("sum-rows-shard").withSequence, { count });
    assert.deepEqual(task("sum-rows-shard").arguments?.parameters.find((p) => p.name === "shard"), { name: "shard", value: `{{item}}/${count}` });
    assert.deepEqual(tmpl(wf, "sum-rows-shard").outputs, { parameters: [{ name: "part", valueFrom: { path: "/tmp/koan-part" } }] });
    assert.equal(task("sum-rows-merge").when, `${count} > 0`);
    assert.deepEqual(task("sum-rows-merge").arguments?.parameters.find((p) => p.name === "parts"), { name: "parts", value: "{{tasks.sum-rows-shard.outputs.parameters}}" });
    const cmd = (name: string) => tmpl(attached, name).container?.command ?? [];
    assert.deepEqual(cmd("sum-rows"), fanOutCommand("r-m7u2k1a0-9f2c4e1ab3d0", "sum_rows"));
    assert.deepEqual(cmd("sum-rows-shard"), shardCommand("r-m7u2k1a0-9f2c4e1ab3d0", "sum_rows", "{{inputs.parameters.shard}}"));
    assert.deepEqual(cmd("sum-rows-merge"), mergeCommand("r-m7u2k1a0-9f2c4e1ab3d0", "sum_rows", "{{inputs.parameters.parts}}"));
    assert.deepEqual(cmd("sum-rows").slice(0, 2), ["koan", "step-run"], "no shell around it");
  });

  it("gives every pod of the step its resources and deadline; shards are retried by Argo, the step's own task only on errors", () => {
    for (const name of ["sum-rows", "sum-rows-shard", "sum-rows-merge"]) {
      assert.deepEqual(tmpl(wf, name).container?.resources, { requests: { cpu: "2", memory: "4Gi" }, limits: { memory: "4Gi" } }, name);
      assert.equal(tmpl(wf, name).activeDeadlineSeconds, String(Math.ceil((60_000 * 3 + 1000 + 2000) / 1000) + 600), name);
    }
    assert.deepEqual(tmpl(wf, "sum-rows-shard").retryStrategy, { limit: "2", retryPolicy: "Always", backoff: { duration: "1s", factor: "2" } });
    assert.equal(tmpl(wf, "sum-rows").retryStrategy?.retryPolicy, "OnError");
    assert.equal(tmpl(wf, "sum-rows-merge").retryStrategy?.retryPolicy, "OnError");
  });
});

describe("the fan-out, shard and merge command lines", () => {
  const hash = (c: string) => c.repeat(64);

  it("are plain koan step-run calls whose answers Argo reads from files", () => {
    assert.deepEqual(fanOutCommand("r-1", "sum"), ["koan", "step-run", "r-1", "sum", "--fan-out", "--result-file", "/tmp/koan-shards"]);
    assert.deepEqual(shardCommand("r-1", "sum", "3/12"), ["koan", "step-run", "r-1", "sum", "--shard", "3/12", "--result-file", "/tmp/koan-part"]);
    assert.deepEqual(mergeCommand("r-1", "sum", "{{inputs.parameters.parts}}"), ["koan", "step-run", "r-1", "sum", "--parts", "{{inputs.parameters.parts}}"]);
  });

  it("--parts reads Argo's aggregate in either of its forms, and comma-separated hashes", () => {
    assert.deepEqual(parseParts(JSON.stringify([{ part: hash("1") }, { part: hash("b") }, { part: hash("0") }])), [hash("1"), hash("b"), hash("0")]);
    assert.deepEqual(parseParts(JSON.stringify([hash("c"), hash("d")])), [hash("c"), hash("d")]);
    assert.deepEqual(parseParts(`${hash("e")}, ${hash("f")}`), [hash("e"), hash("f")]);
    for (const bad of ["", "[]", "[1]", "[not json", `${hash("a")},xyz`, JSON.stringify([{ part: hash("a"), other: 1 }])]) {
      assert.throws(() => parseParts(bad), /--parts/, bad);
    }
  });
});
