/**
 * The `kubernetes` orchestrator against a stand-in for a cluster with Argo Workflows (test/export/fake-argo.ts):
 * it submits the run's Workflow through @kubernetes/client-node, the stand-in runs each task's `koan step-run`
 * for real against the same stack, and the orchestrator follows the Workflow's status into the metadata store —
 * including steps whose pods never ran (image pull errors), steps left out after a failure, and cancellation.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Koan } from "../../src/client/client.js";
import { KoanError } from "../../src/core/errors.js";
import { loadPipelineFile, type LoadedPipeline } from "../../src/loader/pipeline-file.js";
import { workflowsApi } from "../../src/orchestrators/kubernetes/api.js";
import { KubernetesOrchestrator } from "../../src/orchestrators/kubernetes/orchestrator.js";
import { koan as cli, tempProject, waitFor } from "../helpers.js";
import { fakeArgo, type FakeArgo } from "./fake-argo.js";
import { executeAttached, k8sConfig, kubeConfigFor, type AttachedOptions } from "./argo-harness.js";
import { parse as parseYaml } from "yaml";
import { RUN_ID_PARAM, type ArgoWorkflow } from "../../src/export/argo.js";

const PIPELINE = `import { pipeline, step, types as t } from "koan";
import { z } from "zod";
const a = step({ name: "a", outputs: { x: t.json<number>() }, run: () => ({ x: 2 }) });
const b = step({ name: "b", inputs: { x: t.json<number>() }, outputs: { y: t.json<number>() }, params: z.object({ sleepMs: z.number().default(0) }),
  run: async (_c, { x }, { sleepMs }) => { if (sleepMs) await new Promise((r) => setTimeout(r, sleepMs)); return { y: x * 10 }; } });
const c = step({ name: "c", inputs: { x: t.json<number>() }, outputs: { z: t.json<number>() }, resources: { cpu: 1, memory: "1Gi" }, run: (_c, { x }) => ({ z: x + 1 }) });
const d = step({ name: "d", inputs: { y: t.json<number>(), z: t.json<number>() }, outputs: { s: t.json<string>() }, run: (_c, { y, z }) => ({ s: y + "/" + z }) });
export default pipeline({ name: "argo-demo", build: () => { const { x } = a(); const { y } = b({ x }); const { z } = c({ x }); d({ y, z }); } });
`;

const config = k8sConfig;

describe("the kubernetes orchestrator", () => {
  let proj: Awaited<ReturnType<typeof tempProject>>;
  let koan: Koan;
  let loaded: LoadedPipeline;
  const fakes: FakeArgo[] = [];

  before(async () => {
    proj = await tempProject();
    await proj.write("pipelines/argo.ts", PIPELINE);
    assert.equal((await cli(["init"], proj.dir)).code, 0);
    koan = await Koan.open({ dir: proj.dir });
    loaded = await loadPipelineFile(join(proj.dir, "pipelines", "argo.ts"));
  });
  after(async () => {
    await koan?.close();
    for (const f of fakes) await f.close();
    await proj?.cleanup();
  });

  /** Record a run for remote executors and execute it with the orchestrator against a fresh fake cluster. */
  async function execute(options: { pullError?: string[] } & AttachedOptions = {}) {
    const argo = await fakeArgo(proj.dir, { pullError: options.pullError ?? [] });
    fakes.push(argo);
    return { ...(await executeAttached(koan, loaded, proj.dir, argo, options)), argo };
  }

  it("submits the run's Workflow, whose tasks run koan step-run, and follows it to the end", async () => {
    const { outcome, steps, events, argo, run } = await execute();
    assert.equal(outcome.status, "succeeded", outcome.failures.map((f) => f.message).join("; "));
    const wf = [...argo.workflows.values()][0];
    assert.equal(wf?.metadata.name, `koan-argo-demo-${run.id.split("-").pop()}`);
    assert.equal((wf as unknown as { spec: { parallelism: number } }).spec.parallelism, 2);
    assert.deepEqual([...steps.values()].map((s) => s.status), ["succeeded", "succeeded", "succeeded", "succeeded"]);
    assert.equal(steps.size, 4, "one step run per step, each recorded by its pod");
    const d = await koan.resolveArtifact(`${run.id}/d/s`);
    assert.equal(await koan.load(d), "20/3");
    for (const s of ["a", "b", "c", "d"]) assert.ok(events.some((e) => e.type === "step-started" && e.step === s), `started ${s}`);
    assert.ok(events.some((e) => e.type === "step-log" && /pod .* succeeded/.test(e.line)));
  });

  it("records the failure of a step whose pod never ran, and skips what depended on it", async () => {
    const { outcome, steps } = await execute({ pullError: ["b"] });
    assert.equal(outcome.status, "failed");
    assert.equal(steps.get("a")?.status, "succeeded");
    assert.equal(steps.get("c")?.status, "succeeded");
    assert.equal(steps.get("b")?.status, "failed");
    assert.match(steps.get("b")?.error?.message ?? "", /ImagePullBackOff/);
    assert.equal(steps.get("d")?.status, "skipped");
    assert.match(outcome.failures[0]?.message ?? "", /step "b".*ImagePullBackOff/);
  });

  it("terminates the Workflow when the run is cancelled", async () => {
    const { outcome, steps, argo } = await execute({
      params: { b: { sleepMs: 60_000 } },
      cancelWhen: (events) => events.some((e) => e.type === "step-started" && e.step === "b"),
    });
    assert.equal(outcome.status, "cancelled");
    assert.equal([...argo.workflows.values()][0]?.spec.shutdown, "Terminate");
    await waitFor(() => [...argo.workflows.values()][0]?.status.phase === "Failed", 30_000, "the workflow to stop");
    assert.equal(steps.get("a")?.status, "succeeded");
    assert.ok(["cancelled", "failed"].includes(steps.get("b")?.status ?? ""), steps.get("b")?.status);
    assert.equal(steps.get("d")?.status, "cancelled");
  });

  it("runs the standalone Workflow of koan export argo: begin records the run, steps run, the exit handler ends it", async () => {
    const out = await cli(["export", "argo", "pipelines/argo.ts", "--image", config.image as string, "--namespace", "ml", "--param", "b.sleepMs=1"], proj.dir);
    assert.equal(out.code, 0, out.stderr);
    const argo = await fakeArgo(proj.dir);
    fakes.push(argo);
    const api = await workflowsApi(kubeConfigFor(argo.url));
    const created = await api.create("ml", parseYaml(out.stdout) as ArgoWorkflow);
    const name = created.metadata?.name as string;
    await waitFor(() => argo.workflows.get(name)?.status.nodes[`${name}-onexit`]?.phase === "Succeeded", 120_000, "the exit handler");
    const runId = argo.workflows.get(name)?.status.outputs?.parameters.find((p) => p.name === RUN_ID_PARAM)?.value ?? "";
    const run = await koan.getRun(runId);
    assert.equal(run.status, "succeeded", JSON.stringify(run.error));
    assert.equal(run.pid, 0, "no process owns it");
    assert.deepEqual((run.config as { params: { b: unknown } }).params.b, { sleepMs: 1 });
    const steps = await koan.metadata.listStepRuns(runId);
    assert.deepEqual(steps.map((x) => x.status).sort(), ["succeeded", "succeeded", "succeeded", "succeeded"]);
    assert.equal(await koan.load(await koan.resolveArtifact(`${runId}/d/s`)), "20/3");
  });

  it("the exit handler records a failed run when a step failed", async () => {
    const out = await cli(["export", "argo", "pipelines/argo.ts", "--image", config.image as string], proj.dir);
    const argo = await fakeArgo(proj.dir, { pullError: ["c"] });
    fakes.push(argo);
    const created = await (await workflowsApi(kubeConfigFor(argo.url))).create("default", parseYaml(out.stdout) as ArgoWorkflow);
    const name = created.metadata?.name as string;
    await waitFor(() => ["Succeeded", "Failed"].includes(argo.workflows.get(name)?.status.nodes[`${name}-onexit`]?.phase ?? ""), 120_000, "the exit handler");
    const runId = argo.workflows.get(name)?.status.outputs?.parameters.find((p) => p.name === RUN_ID_PARAM)?.value ?? "";
    const run = await koan.getRun(runId);
    assert.equal(run.status, "failed");
    assert.match(run.error?.message ?? "", /Failed/);
  });

  it("refuses before anything is recorded: no pipeline file, stores on this machine's disk, no image", async () => {
    const orchestrator = new KubernetesOrchestrator({ ...config, image: undefined }, { api: await workflowsApi(kubeConfigFor("http://127.0.0.1:9")) });
    const plan = { pipeline: loaded.pipeline, pipelineFile: loaded.file, projectDir: proj.dir, stack: koan.stack };
    await assert.rejects(orchestrator.check({ ...plan, pipelineFile: undefined }), (e: unknown) => e instanceof KoanError && /from files/.test(e.message));
    await assert.rejects(orchestrator.check(plan), (e: unknown) => e instanceof KoanError && /runs every step on the cluster, but stack "default" keeps artifacts in a folder/.test(e.message));
    const remote = { ...koan.stack, artifactStore: { flavor: "s3", config: { bucket: "acme" } }, metadataStore: { flavor: "postgres", config: { url: "postgres://db/koan" } } };
    await assert.rejects(orchestrator.check({ ...plan, stack: remote }), (e: unknown) => e instanceof KoanError && /needs a container image/.test(e.message));
    await assert.rejects(orchestrator.check({ ...plan, pipelineFile: join(tmpdir(), "elsewhere.ts"), stack: remote }), (e: unknown) => e instanceof KoanError && /not inside the project/.test(e.message));
  });
});
