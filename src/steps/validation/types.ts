/** Artifact types of data validation: statistics per split, a schema, anomalies per split. @module */
import { jsonProblem } from "../../core/hash.js";
import { defineArtifactType, type ArtifactType } from "../../core/types.js";
import { jsonMaterializer } from "../../materializers/json.js";
import type { Materializer } from "../../materializers/types.js";
import type { DatasetStatistics } from "../../data/stats/types.js";
import type { Schema } from "../../data/schema/types.js";
import type { Anomaly } from "../../data/anomalies/types.js";

const json = <T>(kind: string, what: string, ok: (v: unknown) => boolean) =>
  defineArtifactType(kind, jsonMaterializer as Materializer<T>, (v) => (ok(v) ? jsonProblem(v) : `expected ${what}`));

/** Statistics of every split of a dataset (one `DatasetStatistics` per split, named after it). */
export const statisticsType = (): ArtifactType<DatasetStatistics[], "statistics"> =>
  json<DatasetStatistics[]>("statistics", "an array of DatasetStatistics", (v) => Array.isArray(v)) as ArtifactType<DatasetStatistics[], "statistics">;

/** A `tensorflow_metadata` Schema as plain data. */
export const schemaType = (): ArtifactType<Schema, "schema"> =>
  json<Schema>("schema", "a Schema object", (v) => typeof v === "object" && v !== null && Array.isArray((v as Schema).feature)) as ArtifactType<Schema, "schema">;

/** Anomalies per split. */
export const anomaliesType = (): ArtifactType<Record<string, Anomaly[]>, "anomalies"> =>
  json<Record<string, Anomaly[]>>("anomalies", "anomalies per split", (v) => typeof v === "object" && v !== null && !Array.isArray(v)) as ArtifactType<Record<string, Anomaly[]>, "anomalies">;
