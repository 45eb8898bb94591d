/**
 * What a run report shows, gathered from the metadata and artifact stores: the run and its steps, and the
 * artifacts of the kinds a report draws — statistics, schema, anomalies, models (training history) and
 * evaluations. Artifacts a run does not have are simply absent.
 * @module
 */
import type { Koan } from "../client/client.js";
import type { JsonValue } from "../core/hash.js";
import type { Anomaly } from "../data/anomalies/types.js";
import type { Schema } from "../data/schema/types.js";
import type { DatasetStatistics } from "../data/stats/types.js";
import type { Evaluation } from "../evaluate/types.js";
import type { ModelInfo } from "../train/model-info.js";
import type { RunRecord, StepRunRecord } from "../stores/metadata/types.js";

/** An artifact found in the run, with where it came from. */
export interface Found<T> {
  /** `run/step/output`. */
  readonly ref: string;
  readonly step: string;
  readonly value: T;
}

/** Everything a report renders. */
export interface ReportData {
  readonly run: RunRecord;
  readonly steps: readonly (StepRunRecord & { outputs: Record<string, string> })[];
  readonly statistics: readonly Found<DatasetStatistics[]>[];
  readonly schemas: readonly Found<Schema>[];
  readonly anomalies: readonly Found<Record<string, Anomaly[]>>[];
  readonly models: readonly Found<ModelInfo>[];
  readonly evaluations: readonly Found<Evaluation>[];
  /** Artifacts that could not be read (shown in place, the rest of the report still renders). */
  readonly problems: readonly { ref: string; message: string }[];
}

/** Collect a run's report data (`ref`: a run id or a unique prefix). */
export async function collectReport(koan: Koan, ref: string): Promise<ReportData> {
  const details = await koan.runDetails(ref);
  const found = { statistics: [] as Found<DatasetStatistics[]>[], schemas: [] as Found<Schema>[], anomalies: [] as Found<Record<string, Anomaly[]>>[], models: [] as Found<ModelInfo>[], evaluations: [] as Found<Evaluation>[] };
  const problems: { ref: string; message: string }[] = [];
  for (const s of details.steps) {
    for (const [port, id] of Object.entries(s.outputs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const a = await koan.metadata.getArtifact(id);
      if (!a) continue;
      const where = `${details.run.id}/${s.step}/${port}`;
      const bucket = a.type === "statistics" ? found.statistics : a.type === "schema" ? found.schemas : a.type === "anomalies" ? found.anomalies : a.type === "evaluation" ? found.evaluations : a.type === "model" ? found.models : undefined;
      if (!bucket) continue;
      try {
        const value = await koan.load(a);
        const v = a.type === "model" ? (value as { info: ModelInfo }).info : value;
        (bucket as Found<unknown>[]).push({ ref: where, step: s.step, value: v });
      } catch (e) {
        problems.push({ ref: where, message: e instanceof Error ? e.message : String(e) });
      }
    }
  }
  return { run: details.run, steps: details.steps, ...found, problems };
}

/** The plain-data part of a report (for `--json`). */
export function reportSummary(data: ReportData): JsonValue {
  return {
    run: data.run.id,
    pipeline: data.run.pipeline,
    statistics: data.statistics.map((s) => s.ref),
    schemas: data.schemas.map((s) => s.ref),
    anomalies: data.anomalies.map((s) => s.ref),
    models: data.models.map((s) => s.ref),
    evaluations: data.evaluations.map((s) => s.ref),
    problems: data.problems.map((p) => ({ ref: p.ref, message: p.message })),
  };
}
