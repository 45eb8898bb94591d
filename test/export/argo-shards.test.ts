/**
 * `koan export argo` over a shardable step: the step's task decides the fan-out at run time (`koan step-run
 * --fan-out`, its count an output parameter), a `withSequence` task computes one shard per pod, a merge task (only
 * when there were shards) merges them and records the step, and downstream steps depend on the merge. Valid
 * against Argo's JSON Schema and its templating rules, with the step's resources, retries and deadline on every
 * pod. The three command lines are run here against a stand-in `koan` to check what they pass on.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
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
    assert.deepEqual(cmd("sum-rows").slice(0, 2), ["sh", "-c"]);
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
  const dir = mkdtempSync(join(tmpdir(), "koan-argo-sh-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const hash = (c: string) => c.repeat(64);
  /** Run `command` with a `koan` that prints `stdout` (after a line the step itself printed), exits `code`, and logs its arguments. */
  const run = (command: string[], stdout: string, code = 0) => {
    writeFileSync(join(dir, "answer"), `${stdout}\n`);
    writeFileSync(join(dir, "koan"), `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(join(dir, "args"))}\necho '  "shardCount": 7, "part": "${"e".repeat(64)}" (the step printing)'\ncat ${JSON.stringify(join(dir, "answer"))}\nexit ${code}\n`);
    chmodSync(join(dir, "koan"), 0o755);
    const files = ["/tmp/koan-shards", "/tmp/koan-part"];
    const mapped = command.map((a) => files.reduce((s, f) => s.split(f).join(join(dir, f.split("/").pop() as string)), a));
    const r = spawnSync(mapped[0] as string, mapped.slice(1), { env: { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH}` }, encoding: "utf8" });
    const read = (f: string) => {
      try {
        return readFileSync(join(dir, f), "utf8");
      } catch {
        return undefined;
      }
    };
    const out = { status: r.status, stdout: r.stdout, args: read("args")?.trim().split("\n"), shards: read("koan-shards"), part: read("koan-part") };
    for (const f of ["args", "answer", "koan-shards", "koan-part"]) rmSync(join(dir, f), { force: true });
    return out;
  };

  it("fan-out: writes the shard count of a step that splits, 0 for one that ran, and fails as koan step-run did", () => {
    const fanned = run(fanOutCommand("r-1", "sum"), JSON.stringify({ runId: "r-1", step: "sum", status: "fan-out", stepRunId: null, shardCount: 12, already: false }, null, 2));
    assert.equal(fanned.status, 0);
    assert.deepEqual(fanned.args, ["step-run", "r-1", "sum", "--fan-out", "--json"]);
    assert.equal(fanned.shards, "12");
    assert.match(fanned.stdout, /"status": "fan-out"/, "the answer is in the pod's log");
    assert.equal(run(fanOutCommand("r-1", "sum"), JSON.stringify({ status: "succeeded", cacheHit: true }, null, 2)).shards, "0");
    const failed = run(fanOutCommand("r-1", "sum"), JSON.stringify({ status: "failed" }, null, 2), 1);
    assert.equal(failed.status, 1);
    assert.equal(failed.shards, undefined);
  });

  it("shard: writes the hash of its result", () => {
    const r = run(shardCommand("r-1", "sum", "3/12"), JSON.stringify({ status: "succeeded", part: hash("a"), already: false }, null, 2));
    assert.equal(r.status, 0);
    assert.deepEqual(r.args, ["step-run", "r-1", "sum", "--shard", "3/12", "--json"]);
    assert.equal(r.part, hash("a"));
    assert.equal(run(shardCommand("r-1", "sum", "3/12"), "{}", 2).status, 2);
  });

  it("merge: passes the shards' hashes in order from Argo's aggregate, in either of its forms", () => {
    const maps = JSON.stringify([{ part: hash("1") }, { part: hash("b") }, { part: hash("0") }]);
    assert.deepEqual(run(mergeCommand("r-1", "sum", maps), "").args, ["step-run", "r-1", "sum", "--parts", `${hash("1")},${hash("b")},${hash("0")}`]);
    const values = JSON.stringify([hash("c"), hash("d")]);
    assert.deepEqual(run(mergeCommand("r-1", "sum", values), "").args, ["step-run", "r-1", "sum", "--parts", `${hash("c")},${hash("d")}`]);
    assert.equal(run(mergeCommand("r-1", "sum", values), "", 1).status, 1);
  });
});
