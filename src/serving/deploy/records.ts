/**
 * Deployments as lineage: each deployment is recorded as a run of the synthetic pipeline `koan.deploy` whose one
 * step (`deploy`) reads the model's bundle artifact and writes a `deployment` JSON artifact (the record). So
 * `koan lineage --down <model>` shows the deployment, and from the deployment artifact lineage walks back to the
 * raw data, with no schema change. Undeploying records a `koan.undeploy` run reading the deployment artifact.
 * @module
 */
import { hostname } from "node:os";
import { captureEnvironment } from "../../client/environment.js";
import type { Koan } from "../../client/client.js";
import { KoanError } from "../../core/errors.js";
import type { JsonValue } from "../../core/hash.js";
import { newId } from "../../core/ids.js";
import { jsonMaterializer } from "../../materializers/json.js";
import { blobReader, blobWriter } from "../../runner/io.js";
import type { ArtifactRecord, EventRecord, RunRecord } from "../../stores/metadata/types.js";
import type { DeploymentRecord } from "./types.js";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Pipeline names of the synthetic runs. */
export const DEPLOY_PIPELINE = "koan.deploy";
export const UNDEPLOY_PIPELINE = "koan.undeploy";

interface SyntheticRun {
  pipeline: string;
  step: string;
  config: { [key: string]: JsonValue };
  inputs: { port: string; artifact: ArtifactRecord }[];
  output?: { port: string; value: JsonValue };
}

/** Record a finished one-step run; returns the run id and the output artifact. */
async function recordRun(koan: Koan, r: SyntheticRun): Promise<{ runId: string; artifact: ArtifactRecord | undefined }> {
  const runId = newId("r");
  const stepRunId = newId("s");
  const at = new Date().toISOString();
  const md = koan.metadata;
  const spec = {
    name: r.pipeline,
    description: null,
    nodes: [{ name: r.step, step: r.pipeline, codeHash: "", inputs: Object.fromEntries(r.inputs.map((i) => [i.port, { node: "", port: i.artifact.outputName, kind: i.artifact.type }])), outputs: r.output ? { [r.output.port]: "json" } : {}, params: {} }],
  };
  await md.createRun({
    id: runId,
    pipeline: r.pipeline,
    status: "running",
    startedAt: at,
    endedAt: null,
    pipelineFile: null,
    sourceHash: "",
    config: r.config,
    environment: await captureEnvironment(koan.project.dir),
    stack: { name: koan.stack.name },
    spec,
    error: null,
    host: hostname(),
    pid: process.pid,
  } as RunRecord);
  const inputs: EventRecord[] = r.inputs.map((i) => ({ stepRunId, artifactId: i.artifact.id, kind: "input", port: i.port }));
  await md.createStepRun(
    { id: stepRunId, runId, step: r.step, stepType: r.pipeline, status: "running", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: "", params: r.config, startedAt: at, endedAt: null, durationMs: null, attempts: 1, error: null, logBlob: null, meta: { host: hostname() } },
    inputs,
  );
  let artifact: ArtifactRecord | undefined;
  const outputs = [];
  if (r.output) {
    const saved = await jsonMaterializer.save(r.output.value, blobWriter(koan.artifacts));
    artifact = {
      id: newId("a"),
      // Deployment records are their own kind (stored as JSON), so the dashboard and lineage can find them.
      type: r.output.port === "deployment" ? "deployment" : "json",
      materializer: jsonMaterializer.name,
      materializerVersion: jsonMaterializer.version,
      contentHash: saved.root.hash,
      uri: `${koan.artifacts.uri.replace(/\/$/, "")}/sha256/${saved.root.hash}`,
      size: saved.root.size,
      producerStepRun: stepRunId,
      outputName: r.output.port,
      createdAt: at,
      meta: (saved.meta ?? {}) as JsonValue,
    };
    outputs.push({ port: r.output.port, artifact, blobs: [saved.root.hash] });
  }
  const end = new Date().toISOString();
  await md.finishStepRun(stepRunId, { status: "succeeded", endedAt: end, durationMs: Date.parse(end) - Date.parse(at), attempts: 1, error: null, logBlob: null, meta: { host: hostname() } }, outputs);
  await md.finishRun(runId, "succeeded", end, null);
  return { runId, artifact };
}

/** Record a new deployment (a `koan.deploy` run). */
export async function recordDeployment(
  koan: Koan,
  d: Omit<DeploymentRecord, "runId" | "artifactId" | "createdAt">,
  model: ArtifactRecord | undefined,
): Promise<DeploymentRecord> {
  const createdAt = new Date().toISOString();
  const value = { id: d.id, target: d.target, name: d.name, version: d.version, model: d.model, endpoint: d.endpoint, state: d.state, config: d.config, createdAt } as JsonValue;
  const { runId, artifact } = await recordRun(koan, {
    pipeline: DEPLOY_PIPELINE,
    step: "deploy",
    config: { deploymentId: d.id, target: d.target, name: d.name, model: d.model, endpoint: d.endpoint },
    inputs: model ? [{ port: "model", artifact: model }] : [],
    output: { port: "deployment", value },
  });
  return { ...d, createdAt, runId, artifactId: (artifact as ArtifactRecord).id };
}

async function allRuns(koan: Koan, pipeline: string): Promise<RunRecord[]> {
  const out: RunRecord[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await koan.metadata.listRuns({ pipeline, limit: 500, offset });
    out.push(...page);
    if (page.length < 500) return out;
  }
}

async function recordOf(koan: Koan, run: RunRecord): Promise<DeploymentRecord | undefined> {
  const steps = await koan.metadata.listStepRuns(run.id);
  const events = await koan.metadata.eventsOfStepRuns(steps.map((s) => s.id));
  const out = events.find((e) => e.kind === "output" && e.port === "deployment");
  const artifact = out && (await koan.metadata.getArtifact(out.artifactId));
  if (!artifact) return undefined;
  const value = (await jsonMaterializer.load(artifact.contentHash, artifact.materializerVersion, blobReader(koan.artifacts, join(tmpdir(), "koan", "deployments")))) as Omit<DeploymentRecord, "runId" | "artifactId">;
  return { ...value, runId: run.id, artifactId: artifact.id };
}

/** Deployments not undeployed, newest first (with `all`, undeployed ones too, flagged). */
export async function listDeployments(koan: Koan, options: { all?: boolean } = {}): Promise<(DeploymentRecord & { undeployedAt: string | null })[]> {
  const undeployed = new Map<string, string>();
  for (const r of await allRuns(koan, UNDEPLOY_PIPELINE)) {
    const id = (r.config as { deploymentId?: string } | null)?.deploymentId;
    if (id) undeployed.set(id, r.startedAt);
  }
  const out: (DeploymentRecord & { undeployedAt: string | null })[] = [];
  for (const run of await allRuns(koan, DEPLOY_PIPELINE)) {
    if (run.status !== "succeeded") continue;
    const id = (run.config as { deploymentId?: string } | null)?.deploymentId;
    if (!id || (undeployed.has(id) && !options.all)) continue;
    const rec = await recordOf(koan, run);
    if (rec) out.push({ ...rec, undeployedAt: undeployed.get(id) ?? null });
  }
  return out;
}

/** A live deployment by id or unique id prefix. */
export async function findDeployment(koan: Koan, idOrPrefix: string): Promise<DeploymentRecord> {
  const live = await listDeployments(koan);
  const found = live.filter((d) => d.id === idOrPrefix || d.id.startsWith(idOrPrefix));
  const exact = found.find((d) => d.id === idOrPrefix);
  if (exact) return exact;
  if (found.length === 1) return found[0] as DeploymentRecord;
  if (found.length > 1) throw new KoanError("USAGE", `deployment id prefix "${idOrPrefix}" is ambiguous`, { hint: "give more characters of the id" });
  throw new KoanError("NOT_FOUND", `no live deployment "${idOrPrefix}"`, { hint: "list deployments with `koan deployments`" });
}

/** Record that a deployment was removed (a `koan.undeploy` run reading its deployment artifact). */
export async function recordUndeploy(koan: Koan, d: DeploymentRecord): Promise<void> {
  const artifact = await koan.metadata.getArtifact(d.artifactId);
  await recordRun(koan, {
    pipeline: UNDEPLOY_PIPELINE,
    step: "undeploy",
    config: { deploymentId: d.id, target: d.target },
    inputs: artifact ? [{ port: "deployment", artifact }] : [],
  });
}
