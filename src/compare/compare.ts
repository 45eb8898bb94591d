/**
 * Compare runs: their differing parameters, code versions, dataset versions and metrics (last value per step and
 * metric, overall and per slice), with the best value per metric marked. Reads through the client, as the CLI and
 * the dashboard do.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { canonicalJson, type JsonValue } from "../core/hash.js";
import type { Koan } from "../client/client.js";
import type { ArtifactRecord, MetricRecord, RunRecord } from "../stores/metadata/types.js";
import { bestIndexes, metricDirection } from "./direction.js";
import { runParams } from "./flatten.js";
import { evaluationMetrics } from "./slices.js";
import { runMetrics } from "./run-metrics.js";
import type { Comparison, DiffRow, MetricRow, MetricSeries } from "./types.js";

/** What `compareRuns` reads: the client or anything with the same methods. */
export type CompareSource = Pick<Koan, "runDetails" | "metadata" | "load">;

type RunDetails = Awaited<ReturnType<Koan["runDetails"]>>;

interface RunFacts {
  run: RunRecord;
  params: Record<string, JsonValue>;
  code: Record<string, string>;
  datasets: Record<string, string>;
  metrics: Record<string, { step: string; name: string; slice: string | null; value: number }>;
  series: Record<string, { x: number; value: number }[]>;
}

const same = (values: readonly unknown[]): boolean => {
  const keys = values.map((v) => (v === null ? "\u0000null" : canonicalJson(v)));
  return keys.every((k) => k === keys[0]);
};

function diffRows<V>(facts: readonly RunFacts[], pick: (f: RunFacts) => Record<string, V>): DiffRow<V>[] {
  const keys = [...new Set(facts.flatMap((f) => Object.keys(pick(f))))].sort();
  return keys.map((key) => {
    const values = facts.map((f) => (key in pick(f) ? (pick(f)[key] as V) : null));
    return { key, values, differs: !same(values) };
  });
}

/** Whether a step of the spec reads no other step's output: its outputs are the pipeline's input data. */
function sourceSteps(run: RunRecord): Set<string> {
  const nodes = (run.spec as { nodes?: { name: string; inputs?: Record<string, unknown> }[] } | null)?.nodes ?? [];
  return new Set(nodes.filter((n) => Object.keys(n.inputs ?? {}).length === 0).map((n) => n.name));
}

async function factsOf(src: CompareSource, details: RunDetails): Promise<RunFacts> {
  const { run, steps } = details;
  const env = run.environment as { git?: { commit?: string; dirty?: boolean } | null } | null;
  const code: Record<string, string> = { "pipeline (source)": run.sourceHash };
  if (env?.git?.commit) code["git commit"] = `${env.git.commit.slice(0, 12)}${env.git.dirty ? " (dirty)" : ""}`;
  for (const s of steps) code[`step ${s.step}`] = s.codeHash;

  const sources = sourceSteps(run);
  const datasets: Record<string, string> = {};
  const evaluations: ArtifactRecord[] = [];
  for (const s of steps) {
    for (const [port, id] of Object.entries(s.outputs)) {
      const a = await src.metadata.getArtifact(id);
      if (!a) continue;
      if (sources.has(s.step) || a.type === "dataset") datasets[`${s.step}.${port}`] = a.contentHash;
      if (a.type === "evaluation") evaluations.push(a);
    }
  }

  const metrics: RunFacts["metrics"] = {};
  const series: RunFacts["series"] = {};
  const logged = await runMetrics(src.metadata, run.id);
  const byKey = new Map<string, (MetricRecord & { stepName: string })[]>();
  for (const m of logged) {
    const key = `${m.stepName}.${m.name}`;
    const list = byKey.get(key) ?? [];
    list.push(m);
    byKey.set(key, list);
  }
  for (const [key, list] of byKey) {
    const ordered = [...list].sort((a, b) => a.seq - b.seq);
    const last = ordered[ordered.length - 1] as MetricRecord & { stepName: string };
    metrics[key] = { step: last.stepName, name: last.name, slice: null, value: last.value };
    series[key] = ordered.map((m, i) => ({ x: m.step ?? i, value: m.value })).sort((a, b) => a.x - b.x);
  }
  for (const a of evaluations) {
    const producer = steps.find((s) => s.id === a.producerStepRun)?.step ?? a.outputName;
    let value: unknown;
    try {
      value = await src.load(a);
    } catch {
      continue; // an unreadable evaluation contributes no metrics; the artifact page shows the error
    }
    for (const m of evaluationMetrics(value)) {
      const key = m.slice === null ? `${producer}.${m.name}` : `${producer}.${m.name}[${m.slice}]`;
      if (m.slice === null && key in metrics) continue; // a logged metric wins over the same one in the artifact
      metrics[key] = { step: producer, name: m.name, slice: m.slice, value: m.value };
    }
  }
  return { run, params: runParams(run.config), code, datasets, metrics, series };
}

function metricRows(facts: readonly RunFacts[]): MetricRow[] {
  const keys = [...new Set(facts.flatMap((f) => Object.keys(f.metrics)))].sort();
  return keys.map((key) => {
    const first = facts.map((f) => f.metrics[key]).find((m) => m !== undefined) as RunFacts["metrics"][string];
    const direction = metricDirection(first.name);
    const values = facts.map((f) => f.metrics[key]?.value ?? null);
    return { key, step: first.step, name: first.name, slice: first.slice, direction, values, best: bestIndexes(values, direction), differs: !same(values) };
  });
}

function seriesRows(facts: readonly RunFacts[]): MetricSeries[] {
  const keys = [...new Set(facts.flatMap((f) => Object.keys(f.series)))].sort();
  return keys
    .filter((key) => facts.some((f) => (f.series[key]?.length ?? 0) > 1))
    .map((key) => ({ key, points: facts.map((f) => f.series[key] ?? []) }));
}

/**
 * Compare two or more runs (ids or unique id prefixes).
 * @throws KoanError `USAGE` with fewer than two runs or a run given twice; `NOT_FOUND` for an unknown run.
 */
export async function compareRuns(src: CompareSource, refs: readonly string[]): Promise<Comparison> {
  if (refs.length < 2) throw new KoanError("USAGE", `compare needs at least two runs, got ${refs.length}`, { hint: "koan compare <run> <run> [...]" });
  const details: RunDetails[] = [];
  for (const ref of refs) details.push(await src.runDetails(ref));
  const ids = details.map((d) => d.run.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new KoanError("USAGE", `run ${dup} is given more than once`);
  const facts: RunFacts[] = [];
  for (const d of details) facts.push(await factsOf(src, d));
  return {
    runs: facts.map(({ run }) => ({
      id: run.id,
      pipeline: run.pipeline,
      status: run.status,
      startedAt: run.startedAt,
      durationMs: run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : null,
    })),
    params: diffRows(facts, (f) => f.params),
    code: diffRows(facts, (f) => f.code),
    datasets: diffRows(facts, (f) => f.datasets),
    metrics: metricRows(facts),
    series: seriesRows(facts),
  };
}
