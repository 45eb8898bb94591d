/**
 * Versions of data sources: every dataset artifact a source step made, grouped by the source's identity (its
 * kind and URI or query, from the dataset's manifest) and numbered in the order they were first taken. Equal
 * content (a cache hit, or an unchanged source re-read) is one version.
 *
 * @example
 * ```ts
 * for (const s of await listSourceVersions(koan)) console.log(s.identity, s.versions.length);
 * ```
 * @module
 */
import type { Koan } from "../../client/client.js";
import "../dataset/type.js"; // registers the koan.dataset materializer
import type { ArtifactRecord } from "../../stores/metadata/types.js";
import type { Dataset } from "../dataset/dataset.js";

/** Step types of Koan's built-in sources. User steps whose name ends with `source` count too. */
export const SOURCE_STEP_TYPES: ReadonlySet<string> = new Set(["file_source", "rows_source", "tfrecord_source", "image_source", "postgres_source", "bigquery_source"]);

/** One version of a source. */
export interface DatasetVersion {
  /** 1 for the first version taken, 2 for the next, ... */
  readonly version: number;
  /** The artifact (the first one recorded with this content). */
  readonly artifactId: string;
  readonly contentHash: string;
  /** When it was taken (the artifact's creation time, ISO 8601). */
  readonly takenAt: string;
  /** The run and step that took it. */
  readonly runId: string | null;
  readonly step: string | null;
  /** Rows per split. */
  readonly rows: Readonly<Record<string, number>>;
  readonly features: number;
}

/** A source and its versions, oldest first. */
export interface SourceVersions {
  /** `kind uri-or-query`, e.g. `csv file:///data/penguins.csv` or `postgres postgresql://me@db:5432/shop SELECT ...`. */
  readonly identity: string;
  readonly kind: string;
  readonly uri: string | null;
  readonly query: string | null;
  readonly versions: readonly DatasetVersion[];
}

/** True when a step type is a source step's. */
export function isSourceStep(stepType: string): boolean {
  return SOURCE_STEP_TYPES.has(stepType) || /source$/i.test(stepType);
}

/** Every dataset artifact, oldest first. */
async function datasetArtifacts(koan: Koan): Promise<ArtifactRecord[]> {
  const out: ArtifactRecord[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await koan.metadata.listArtifacts({ limit: 500, offset });
    out.push(...page.filter((a) => a.type === "dataset"));
    if (page.length < 500) break;
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
}

/** The versions of every source, sorted by identity. */
export async function listSourceVersions(koan: Koan): Promise<SourceVersions[]> {
  const groups = new Map<string, { kind: string; uri: string | null; query: string | null; versions: DatasetVersion[]; hashes: Set<string> }>();
  for (const a of await datasetArtifacts(koan)) {
    const producer = await koan.metadata.getStepRun(a.producerStepRun);
    if (!producer || !isSourceStep(producer.stepType)) continue;
    let ds: Dataset;
    try {
      ds = (await koan.load(a)) as Dataset;
    } catch {
      continue; // blobs deleted or unreadable: not a usable version
    }
    const source = ds.manifest.source ?? {};
    const kind = typeof source.kind === "string" ? source.kind : producer.stepType;
    const uri = typeof source.uri === "string" ? source.uri : null;
    const query = typeof source.query === "string" ? source.query : null;
    let identity = [kind, uri, query].filter((x) => x !== null).join(" ");
    if (uri === null && query === null) {
      const run = await koan.metadata.getRun(producer.runId);
      identity = `${kind} ${run?.pipeline ?? "?"}/${producer.step}`;
    }
    let g = groups.get(identity);
    if (!g) {
      g = { kind, uri, query, versions: [], hashes: new Set() };
      groups.set(identity, g);
    }
    if (g.hashes.has(a.contentHash)) continue;
    g.hashes.add(a.contentHash);
    const rows = Object.fromEntries(ds.splits.map((s) => [s, ds.rowCount(s)]));
    g.versions.push({ version: g.versions.length + 1, artifactId: a.id, contentHash: a.contentHash, takenAt: a.createdAt, runId: producer.runId, step: producer.step, rows, features: Object.keys(ds.features).length });
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([identity, g]) => ({ identity, kind: g.kind, uri: g.uri, query: g.query, versions: g.versions }));
}
