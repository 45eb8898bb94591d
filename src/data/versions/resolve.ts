/**
 * Finding what the data commands work on: a dataset artifact from a reference, the statistics and schema that
 * belong to it (recorded by `statistics` / `schema_gen` steps downstream of it, or carried by the dataset), or
 * computed on the fly when none was recorded.
 * @module
 */
import type { Koan } from "../../client/client.js";
import "../dataset/type.js"; // registers the koan.dataset materializer
import { KoanError } from "../../core/errors.js";
import type { ArtifactRecord } from "../../stores/metadata/types.js";
import { Dataset } from "../dataset/dataset.js";
import { inferSchema } from "../schema/infer.js";
import type { Schema } from "../schema/types.js";
import { datasetStatistics } from "../dataset/statistics.js";
import type { DatasetStatistics } from "../stats/types.js";

/** A resolved dataset artifact. */
export interface ResolvedDataset {
  readonly artifact: ArtifactRecord;
  readonly dataset: Dataset;
}

/** Resolve an artifact reference (id, prefix, or run/step/output) that must name a dataset. */
export async function resolveDataset(koan: Koan, ref: string): Promise<ResolvedDataset> {
  const artifact = await koan.resolveArtifact(ref);
  if (artifact.type !== "dataset") {
    throw new KoanError("USAGE", `artifact ${artifact.id} (${ref}) is a ${artifact.type} artifact, not a dataset`, { hint: "list datasets with `koan datasets`" });
  }
  return { artifact, dataset: (await koan.load(artifact)) as Dataset };
}

/** The newest succeeded output `port` of a `stepType` step run that took `artifactId` as an input. */
async function downstream(koan: Koan, artifactId: string, stepType: string, port: string): Promise<ArtifactRecord | undefined> {
  const uses = (await koan.metadata.eventsOfArtifacts([artifactId])).filter((e) => e.kind === "input" && e.artifactId === artifactId);
  let best: ArtifactRecord | undefined;
  for (const use of uses) {
    const run = await koan.metadata.getStepRun(use.stepRunId);
    if (!run || run.stepType !== stepType || run.status !== "succeeded") continue;
    const out = (await koan.metadata.eventsOfStepRuns([run.id])).find((e) => e.kind === "output" && e.port === port);
    const a = out ? await koan.metadata.getArtifact(out.artifactId) : undefined;
    if (a && (!best || a.createdAt > best.createdAt)) best = a;
  }
  return best;
}

/**
 * Where statistics came from: a `statistics` step's artifact, the dataset itself (counted while it was written),
 * or a pass over its records now.
 */
export type StatisticsOrigin = { kind: "recorded"; artifactId: string } | { kind: "stored" } | { kind: "computed" };

/**
 * The statistics of a dataset: those a `statistics` step recorded for it, else those stored with it, else computed
 * now (one pass per split).
 */
export async function statisticsOf(koan: Koan, d: ResolvedDataset, split?: string): Promise<{ statistics: DatasetStatistics[]; origin: StatisticsOrigin }> {
  const recorded = await downstream(koan, d.artifact.id, "statistics", "statistics");
  if (recorded) {
    const all = (await koan.load(recorded)) as DatasetStatistics[];
    const statistics = split ? all.filter((s) => s.name === split) : all;
    if (split && !statistics.length) d.dataset.rowCount(split);
    if (statistics.length) return { statistics, origin: { kind: "recorded", artifactId: recorded.id } };
  }
  const { statistics, stored } = await datasetStatistics(d.dataset, split === undefined ? {} : { split });
  return { statistics, origin: stored ? { kind: "stored" } : { kind: "computed" } };
}

/** The split a schema is inferred from: `train` when there is one, else the first. */
export function baseSplit(names: readonly string[]): string | undefined {
  return names.includes("train") ? "train" : names[0];
}

/** Where a schema came from. */
export type SchemaOrigin = { kind: "carried" } | { kind: "recorded"; artifactId: string } | { kind: "inferred"; split: string };

/**
 * The schema of a dataset: the one it carries (`schema.pbtxt`), else one a `schema_gen` step recorded from its
 * statistics, else inferred now from the statistics of its `train` (or first) split.
 */
export async function schemaOf(koan: Koan, d: ResolvedDataset): Promise<{ schema: Schema; origin: SchemaOrigin }> {
  const carried = await d.dataset.schema();
  if (carried) return { schema: carried, origin: { kind: "carried" } };
  const stats = await downstream(koan, d.artifact.id, "statistics", "statistics");
  const recorded = stats ? await downstream(koan, stats.id, "schema_gen", "schema") : undefined;
  if (recorded) return { schema: (await koan.load(recorded)) as Schema, origin: { kind: "recorded", artifactId: recorded.id } };
  const split = baseSplit(d.dataset.splits) as string;
  const { statistics } = await statisticsOf(koan, d, split);
  return { schema: inferSchema(statistics[0] as DatasetStatistics), origin: { kind: "inferred", split } };
}
