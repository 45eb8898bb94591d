/**
 * `koan export argo`: the Workflow of a pipeline — one DAG task per step running `koan step-run`, wired by the
 * steps' inputs, with retries, resources and deadlines from the step definitions and secrets by reference —
 * validated against Argo's published JSON Schema (../shared/specs/argo); both shapes (standalone, attached) and
 * the CLI.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { pipeline } from "../../src/core/pipeline.js";
import { step } from "../../src/core/step.js";
import { types as t } from "../../src/core/types.js";
import { argoWorkflow, BEGIN_TASK, taskNames, type Obj } from "../../src/export/argo.js";
import { koan, SHARED, tempProject } from "../helpers.js";
import { lintArgo } from "./argo-lint.js";
import { SCHEMA_SKIP, validateArgo, WORKFLOW_DEF } from "./argo-schema.js";
import { teamStack } from "./argo-harness.js";

const skip = SCHEMA_SKIP;
const WORKFLOW = WORKFLOW_DEF;
const stack = teamStack;

const source = step({ name: "load_data", outputs: { rows: t.json<number[]>() }, run: () => ({ rows: [1, 2, 3] }) });
const left = step({ name: "stats", inputs: { rows: t.json<number[]>() }, outputs: { s: t.json<number>() }, retries: 2, retryDelayMs: 2500, run: (_c, { rows }) => ({ s: rows.length }) });
const right = step({
  name: "train",
  inputs: { rows: t.json<number[]>() },
  outputs: { model: t.json<number>() },
  timeoutMs: 600_000,
  resources: { cpu: 4, memory: "16Gi", gpu: 1 },
  run: (_c, { rows }) => ({ model: rows[0] ?? 0 }),
});
const join2 = step({ name: "report", inputs: { s: t.json<number>(), model: t.json<number>() }, outputs: { text: t.json<string>() }, run: (_c, { s, model }) => ({ text: `${s}/${model}` }) });
const diamond = pipeline({
  name: "Diamond_Demo",
  build: () => {
    const { rows } = source();
    const { s } = left({ rows });
    const { model } = right({ rows });
    join2({ s, model });
  },
});

const IMAGE = "us-central1-docker.pkg.dev/acme/koan/app:3f2a1c";
type Task = { name: string; template: string; depends?: string; arguments?: { parameters: { name: string; value: string }[] }; withSequence?: { count: string }; when?: string };
type Template = Obj & { name: string; container?: { command: string[]; image: string; env: { name: string; value?: string; valueFrom?: unknown }[]; resources?: unknown }; dag?: { tasks: Task[] }; retryStrategy?: Obj; activeDeadlineSeconds?: string; inputs?: Obj; outputs?: Obj };
const templates = (wf: { spec: { templates: Obj[] } }) => wf.spec.templates as Template[];
const tmpl = (wf: { spec: { templates: Obj[] } }, name: string) => templates(wf).find((x) => x.name === name) as Template;

describe("argo workflow (standalone: koan export argo)", () => {
  const wf = argoWorkflow({ pipeline: diamond, pipelineFile: "pipelines/diamond.ts", image: IMAGE, stack, namespace: "ml", serviceAccountName: "koan-runner", params: ["train.epochs=5"] });
  const dag = tmpl(wf, "koan").dag as { tasks: Task[] };

  it("is a valid Workflow per Argo's JSON Schema, with no field the schema does not know", { skip }, () => {
    assert.deepEqual(validateArgo(WORKFLOW, wf), []);
  });

  it("has one DAG task per step, wired by the steps' inputs, after the task that records the run", () => {
    const names = taskNames(diamond);
    assert.deepEqual(dag.tasks.map((x) => x.name), [BEGIN_TASK, ...diamond.order.map((n) => names.get(n))]);
    const dep = Object.fromEntries(dag.tasks.map((x) => [x.name, x.depends]));
    assert.equal(dep[BEGIN_TASK], undefined);
    assert.equal(dep["load-data"], BEGIN_TASK);
    assert.equal(dep.stats, `${BEGIN_TASK} && load-data`);
    assert.equal(dep.train, `${BEGIN_TASK} && load-data`);
    assert.equal(dep.report, `${BEGIN_TASK} && stats && train`);
  });

  it("passes Argo's templating checks (a template only sees its inputs; a task only its ancestors' outputs)", () => {
    assert.deepEqual(lintArgo(wf), []);
  });

  it("runs koan step-run for each step with the run id the begin task recorded, passed as the template's input", () => {
    assert.deepEqual(tmpl(wf, "train").container?.command, ["koan", "step-run", "{{inputs.parameters.run-id}}", "train"]);
    assert.deepEqual(tmpl(wf, "train").inputs, { parameters: [{ name: "run-id" }] });
    assert.deepEqual(dag.tasks.find((x) => x.name === "train")?.arguments, { parameters: [{ name: "run-id", value: `{{tasks.${BEGIN_TASK}.outputs.parameters.run-id}}` }] });
    assert.equal(tmpl(wf, "train").container?.image, IMAGE);
    const begin = tmpl(wf, BEGIN_TASK);
    assert.deepEqual(begin.container?.command.slice(0, 6), ["koan", "workflow", "begin", "pipelines/diamond.ts", "--stack", "team"]);
    assert.ok(begin.container?.command.join(" ").includes("--param train.epochs=5"));
    assert.equal(wf.spec.onExit, "koan-end");
    assert.ok(tmpl(wf, "koan-end").container?.command.includes("{{workflow.status}}"));
    assert.equal(wf.metadata.generateName, "koan-diamond-demo-");
    assert.equal(wf.metadata.namespace, "ml");
    assert.equal(wf.spec.serviceAccountName, "koan-runner");
  });

  it("takes retries, resources and deadlines from the step definitions", () => {
    assert.deepEqual(tmpl(wf, "stats").retryStrategy, { limit: "2", retryPolicy: "OnError", backoff: { duration: "3s", factor: "2" } });
    assert.equal(tmpl(wf, "train").retryStrategy, undefined);
    assert.deepEqual(tmpl(wf, "train").container?.resources, { requests: { cpu: "4", memory: "16Gi" }, limits: { memory: "16Gi", "nvidia.com/gpu": "1" } });
    assert.equal(tmpl(wf, "train").activeDeadlineSeconds, String(600 + 600));
    assert.equal(tmpl(wf, "stats").activeDeadlineSeconds, undefined);
  });

  it("references the stack's secrets from a Secret, never their values", () => {
    for (const x of templates(wf).filter((y) => y.container)) {
      const env = x.container?.env ?? [];
      assert.deepEqual(env.find((e) => e.name === "KOAN_SECRET_DB_PASSWORD")?.valueFrom, { secretKeyRef: { name: "koan-secrets", key: "db-password" } });
      assert.ok(env.every((e) => !String(e.value ?? "").includes("secret")));
    }
  });

  it("refuses a pipeline file outside the project", () => {
    assert.throws(() => argoWorkflow({ pipeline: diamond, pipelineFile: "../elsewhere.ts", image: IMAGE, stack }), /relative to the project/);
  });
});

describe("argo workflow (attached: the kubernetes orchestrator)", () => {
  const wf = argoWorkflow({ pipeline: diamond, pipelineFile: "pipelines/diamond.ts", image: IMAGE, stack, namespace: "ml", runId: "r-m7u2k1a0-9f2c4e1ab3d0" });

  it("is valid, names itself after the run, and runs the recorded run's steps without begin or end", { skip }, () => {
    assert.deepEqual(validateArgo(WORKFLOW, wf), []);
    assert.deepEqual(lintArgo(wf), []);
  });

  it("writes the run id into each step's command line", () => {
    assert.equal(wf.metadata.name, "koan-diamond-demo-9f2c4e1ab3d0");
    assert.equal(wf.metadata.labels["koan.dev/run"], "r-m7u2k1a0-9f2c4e1ab3d0");
    assert.equal(wf.spec.onExit, undefined);
    assert.equal(templates(wf).some((x) => x.name === BEGIN_TASK), false);
    assert.deepEqual(tmpl(wf, "report").container?.command, ["koan", "step-run", "r-m7u2k1a0-9f2c4e1ab3d0", "report"]);
    assert.equal((tmpl(wf, "koan").dag as { tasks: Task[] }).tasks.find((x) => x.name === "load-data")?.depends, undefined);
  });
});

describe("the schema check itself", { skip }, () => {
  it("accepts Argo's own dag-diamond example and rejects a broken Workflow", () => {
    const example = parseYaml(readFileSync(join(SHARED, "fixtures", "manifests", "argo_examples", "dag-diamond.yaml"), "utf8"));
    assert.deepEqual(validateArgo(WORKFLOW, example), []);
    const wf = argoWorkflow({ pipeline: diamond, pipelineFile: "p.ts", image: IMAGE, stack });
    const broken = JSON.parse(JSON.stringify(wf)) as { spec: { templates: { retryStrategy?: unknown; container?: { command: unknown } }[]; bogus?: number } };
    broken.spec.bogus = 1;
    (broken.spec.templates[1] as { container: { command: unknown } }).container.command = "koan step-run";
    const errors = validateArgo(WORKFLOW, broken);
    assert.ok(errors.some((e) => /\/spec\/bogus is not in the schema/.test(e)), errors.join("; "));
    assert.ok(errors.some((e) => /command must be array/.test(e)), errors.join("; "));
  });
});

describe("koan export argo (CLI)", () => {
  it("prints the Workflow as YAML for a pipeline file of the project", { skip }, async () => {
    const proj = await tempProject();
    try {
      await proj.write(
        "pipelines/p.ts",
        `import { pipeline, step, types as t } from "koan";
const a = step({ name: "a", outputs: { x: t.json<number>() }, resources: { cpu: 1 }, run: () => ({ x: 1 }) });
const b = step({ name: "b", inputs: { x: t.json<number>() }, outputs: { y: t.json<number>() }, retries: 1, run: (_c, { x }) => ({ y: x + 1 }) });
export default pipeline({ name: "cli-demo", build: () => { b(a()); } });
`,
      );
      assert.equal((await koan(["init"], proj.dir)).code, 0);
      const out = await koan(["export", "argo", "pipelines/p.ts", "--image", IMAGE, "--namespace", "ml"], proj.dir);
      assert.equal(out.code, 0, out.stderr);
      const wf = parseYaml(out.stdout) as { spec: { templates: Obj[] }; metadata: { annotations: Record<string, string> } };
      assert.deepEqual(validateArgo(WORKFLOW, wf), []);
      assert.equal(wf.metadata.annotations["koan.dev/pipeline-file"], "pipelines/p.ts");
      assert.deepEqual(tmpl(wf, "b").container?.command.slice(0, 2), ["koan", "step-run"]);
      const bad = await koan(["export", "argo", "pipelines/p.ts", "--image", "Not An Image"], proj.dir);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /not a valid image reference/);
    } finally {
      await proj.cleanup();
    }
  });
});
