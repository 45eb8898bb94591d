/** Table types of the SQL metadata stores (shared by the SQLite and PostgreSQL flavors). @module */
import type { Generated } from "kysely";

export interface MetaTable {
  key: string;
  value: string;
}

export interface RunsTable {
  id: string;
  pipeline: string;
  status: string;
  started_at: string;
  ended_at: string | null;
  pipeline_file: string | null;
  source_hash: string;
  config: string;
  environment: string;
  stack: string;
  spec: string;
  error: string | null;
  host: string;
  pid: number;
}

export interface StepRunsTable {
  id: string;
  run_id: string;
  step: string;
  step_type: string;
  status: string;
  cache_key: string | null;
  cache_hit: number;
  cached_from: string | null;
  code_hash: string;
  params: string;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  attempts: number;
  error: string | null;
  log_blob: string | null;
  meta: string;
}

export interface ArtifactsTable {
  id: string;
  type: string;
  materializer: string;
  materializer_version: number;
  content_hash: string;
  uri: string;
  size: number | string;
  producer_step_run: string;
  output_name: string;
  created_at: string;
  meta: string;
}

export interface ArtifactBlobsTable {
  artifact_id: string;
  blob: string;
}

export interface EventsTable {
  step_run_id: string;
  artifact_id: string;
  kind: string;
  port: string;
}

export interface MetricsTable {
  id: Generated<number>;
  step_run_id: string;
  name: string;
  value: number;
  step: number | null;
  seq: number;
  at: string;
}

export interface LeasesTable {
  key: string;
  owner: string;
  /** Epoch milliseconds on the store's clock (PostgreSQL returns bigint as a string). */
  acquired_at: number | string;
  expires_at: number | string;
}

/** A flattened parameter of a run (migration 3). */
export interface RunParamsTable {
  run_id: string;
  key: string;
  /** The value when it is a number. */
  num: number | null;
  /** Strings as they are, other values as JSON. */
  text: string;
  lower: string;
}

/** The last value of a `step.metric` of a run (migration 3). */
export interface RunMetricsTable {
  run_id: string;
  /** `step.metric`. */
  key: string;
  step: string;
  /** The step run that logged it (for a cache hit, the one reused). */
  step_run_id: string;
  value: number;
  seq: number;
  text: string;
  lower: string;
}

export interface Database {
  koan_meta: MetaTable;
  runs: RunsTable;
  step_runs: StepRunsTable;
  artifacts: ArtifactsTable;
  artifact_blobs: ArtifactBlobsTable;
  events: EventsTable;
  metrics: MetricsTable;
  leases: LeasesTable;
  run_params: RunParamsTable;
  run_metrics: RunMetricsTable;
}
