/** Assembling a run's page data (`GET /api/runs/:id`): the DAG, every step's state, ports and metrics. @module */
import type { Koan } from "../client/client.js";
import { runMetrics, type RunMetric } from "../compare/run-metrics.js";
import type { ArtifactRecord, MetadataStore, MetricRecord, StoredError } from "../stores/metadata/types.js";
import type { ArtifactKind, ArtifactSummary, ErrorView, MetricView, RunView, StepView } from "./api-types.js";

/** The kinds of artifacts with pages of their own, recognised by their `type`. */
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ["dataset", "statistics", "evaluation", "deployment"];

/** A short view of an artifact record. */
export function artifactSummary(a: ArtifactRecord): ArtifactSummary {
  return { id: a.id, type: a.type, outputName: a.outputName, contentHash: a.contentHash, size: a.size, createdAt: a.createdAt };
}

/** A stored error for display. */
export function errorView(e: StoredError | null): ErrorView | null {
  return e ? { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.stack ? { stack: e.stack } : {}) } : null;
}

/** Group metric records into series per step and name. */
export function metricViews(records: readonly RunMetric[]): MetricView[] {
  const groups = new Map<string, RunMetric[]>();
  for (const m of records) {
    const key = `${m.stepName}\u0000${m.name}`;
    const list = groups.get(key) ?? [];
    list.push(m);
    groups.set(key, list);
  }
  return [...groups.values()].map((list) => {
    const ordered = [...list].sort((a, b) => a.seq - b.seq);
    const first = ordered[0] as RunMetric;
    const points = ordered.map((m, i) => ({ x: m.step ?? i, value: m.value, at: m.at })).sort((a, b) => a.x - b.x);
    return { step: first.stepName, name: first.name, points, last: (ordered[ordered.length - 1] as MetricRecord).value, cached: first.cached };
  });
}

interface SpecNode {
  name: string;
  step: string;
  codeHash: string;
  inputs: Record<string, { node: string; port: string }>;
  outputs: Record<string, string>;
  params: unknown;
}

/** Artifact records by id, read once each. */
export async function artifactsById(md: MetadataStore, ids: Iterable<string>): Promise<Map<string, ArtifactRecord>> {
  const out = new Map<string, ArtifactRecord>();
  for (const id of new Set(ids)) {
    const a = await md.getArtifact(id);
    if (a) out.set(id, a);
  }
  return out;
}

/** The page data of a run (id or unique prefix). @throws KoanError `NOT_FOUND` */
export async function runView(koan: Koan, ref: string): Promise<RunView> {
  const { run, steps } = await koan.runDetails(ref);
  const spec = (run.spec ?? {}) as { description?: string | null; nodes?: SpecNode[] };
  const nodes = spec.nodes ?? [];
  const artifacts = await artifactsById(koan.metadata, steps.flatMap((s) => [...Object.values(s.inputs), ...Object.values(s.outputs)]));
  const metrics = metricViews(await runMetrics(koan.metadata, run.id));
  const summary = (id: string | undefined): ArtifactSummary | null => {
    const a = id ? artifacts.get(id) : undefined;
    return a ? artifactSummary(a) : null;
  };
  const byName = new Map(steps.map((s) => [s.step, s] as const));
  const views: StepView[] = nodes.map((n) => {
    const s = byName.get(n.name);
    return {
      name: n.name,
      id: s?.id ?? null,
      stepType: s?.stepType ?? n.step,
      status: s?.status ?? (run.status === "running" ? "pending" : "not run"),
      cacheHit: s?.cacheHit ?? false,
      cachedFrom: s?.cachedFrom ?? null,
      codeHash: s?.codeHash ?? n.codeHash,
      params: s?.params ?? ((n.params ?? null) as StepView["params"]),
      startedAt: s?.startedAt ?? null,
      endedAt: s?.endedAt ?? null,
      durationMs: s?.durationMs ?? null,
      attempts: s?.attempts ?? 0,
      error: errorView(s?.error ?? null),
      hasLog: Boolean(s?.logBlob),
      inputs: Object.entries(n.inputs ?? {}).map(([port, from]) => ({ port, from: { step: from.node, port: from.port }, artifact: summary(s?.inputs[port]) })),
      outputs: Object.keys(n.outputs ?? {}).map((port) => ({ port, artifact: summary(s?.outputs[port]) })),
      metrics: metrics.filter((m) => m.step === n.name),
    };
  });
  // Step runs the spec does not name (older spec formats) still show.
  for (const s of steps.filter((x) => !nodes.some((n) => n.name === x.step))) {
    views.push({
      name: s.step, id: s.id, stepType: s.stepType, status: s.status, cacheHit: s.cacheHit, cachedFrom: s.cachedFrom, codeHash: s.codeHash, params: s.params,
      startedAt: s.startedAt, endedAt: s.endedAt, durationMs: s.durationMs, attempts: s.attempts, error: errorView(s.error), hasLog: Boolean(s.logBlob),
      inputs: Object.entries(s.inputs).map(([port, id]) => ({ port, from: null, artifact: summary(id) })),
      outputs: Object.entries(s.outputs).map(([port, id]) => ({ port, artifact: summary(id) })),
      metrics: metrics.filter((m) => m.step === s.step),
    });
  }
  const kinds = Object.fromEntries(ARTIFACT_KINDS.map((k) => [k, 0])) as Record<ArtifactKind, number>;
  for (const s of steps) for (const id of Object.values(s.outputs)) {
    const t = artifacts.get(id)?.type;
    if (t && (ARTIFACT_KINDS as readonly string[]).includes(t)) kinds[t as ArtifactKind]++;
  }
  return {
    run: {
      id: run.id,
      pipeline: run.pipeline,
      description: spec.description ?? null,
      status: run.status,
      startedAt: run.startedAt,
      endedAt: run.endedAt,
      durationMs: run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : null,
      pipelineFile: run.pipelineFile,
      sourceHash: run.sourceHash,
      config: run.config,
      environment: run.environment,
      stack: run.stack,
      error: errorView(run.error),
    },
    dag: {
      nodes: views.map((v) => ({ name: v.name, stepType: v.stepType })),
      edges: nodes.flatMap((n) => Object.entries(n.inputs ?? {}).map(([port, from]) => ({ from: from.node, to: n.name, port }))),
    },
    steps: views,
    metrics,
    kinds,
  };
}
