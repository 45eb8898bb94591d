/**
 * The metadata store: pipelines, runs, step runs, artifacts, the events that link them (lineage), parameters,
 * metrics and environment. Every flavor (SQLite, PostgreSQL) implements this interface and passes the shared
 * conformance suite (`test/conformance/metadata-store.cases.ts`).
 * @module
 */
import type { JsonValue } from "../../core/hash.js";

/** Run states. `interrupted`: the process running it died (found on the next open). */
export type RunStatus = "running" | "succeeded" | "failed" | "cancelled" | "interrupted";
/** Step run states; `skipped` when an upstream step failed. */
export type StepStatus = "running" | "succeeded" | "failed" | "cancelled" | "interrupted" | "skipped";

/** A stored error: plain data. */
export interface StoredError {
  code: string;
  message: string;
  stack?: string;
  hint?: string;
}

export interface RunRecord {
  id: string;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  /** Pipeline file, when run from one. */
  pipelineFile: string | null;
  /** SHA-256 of the pipeline's source. */
  sourceHash: string;
  /** Fully resolved configuration: seed, params per step, cache setting, concurrency. */
  config: JsonValue;
  /** Koan/Node versions, OS, lockfile hash, git commit and dirtiness. */
  environment: JsonValue;
  /** The stack the run used (flavors and URIs; never secrets). */
  stack: JsonValue;
  /** The pipeline's plain-data spec. */
  spec: JsonValue;
  error: StoredError | null;
  host: string;
  pid: number;
}

export interface StepRunRecord {
  id: string;
  runId: string;
  /** Node name in the pipeline. */
  step: string;
  /** Name of the step definition. */
  stepType: string;
  status: StepStatus;
  cacheKey: string | null;
  cacheHit: boolean;
  /** For a cache hit, the step run whose outputs were reused. */
  cachedFrom: string | null;
  codeHash: string;
  params: JsonValue;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  attempts: number;
  error: StoredError | null;
  /** Blob holding the captured log, if any. */
  logBlob: string | null;
  meta: JsonValue;
}

export interface ArtifactRecord {
  id: string;
  /** Artifact type kind (`json`, `dir`, ...). */
  type: string;
  materializer: string;
  materializerVersion: number;
  /** Root blob hash = content hash. */
  contentHash: string;
  /** Where the root blob lives (store URI + key). */
  uri: string;
  /** Total bytes of all its blobs. */
  size: number;
  producerStepRun: string;
  outputName: string;
  createdAt: string;
  meta: JsonValue;
}

export interface EventRecord {
  stepRunId: string;
  artifactId: string;
  kind: "input" | "output";
  port: string;
}

export interface MetricRecord {
  stepRunId: string;
  name: string;
  value: number;
  step: number | null;
  seq: number;
  at: string;
}

/** What is needed to record a completed step's outputs. */
export interface NewOutput {
  port: string;
  artifact: ArtifactRecord;
  /** Every blob the artifact uses (root included). */
  blobs: readonly string[];
}

/** Filters for listing runs. */
export interface RunQuery {
  pipeline?: string;
  status?: RunStatus;
  /** ISO time: only runs started before it. */
  before?: string;
  limit?: number;
  offset?: number;
}

/** A condition on a run's parameter (`train.epochs`) or last metric value (`evaluate.accuracy`). */
export interface RunValueFilter {
  key: string;
  /** `~` is a case-insensitive "contains". */
  op: "=" | "!=" | ">" | ">=" | "<" | "<=" | "~";
  /**
   * Compared numerically with number values when it is a number, else as text (strings as they are, other
   * values as JSON). A run without the key never matches.
   */
  value: string;
}

/** A search over runs: filters (all must hold), a sort and a page. */
export interface RunSearch {
  pipeline?: string;
  statuses?: readonly RunStatus[];
  /** ISO time: runs started at or after it. */
  from?: string;
  /** ISO time: runs started before it. */
  before?: string;
  /** Case-insensitive text in the run id or pipeline name. */
  text?: string;
  params?: readonly RunValueFilter[];
  metrics?: readonly RunValueFilter[];
  /**
   * `startedAt` (default), `endedAt`, `duration`, `pipeline`, `status`, `id`, `params.<key>` or `metrics.<key>`;
   * runs without a value come last either way, ties newest first. Default descending.
   */
  sort?: { field: string; desc: boolean };
  limit?: number;
  offset?: number;
}

/** Pipelines of all runs; parameter and metric keys of recent runs. */
export interface RunFacetKeys {
  pipelines: string[];
  params: string[];
  metrics: string[];
}

/** Who holds a cache lease, and until when (epoch ms on the store's clock). */
export interface LeaseInfo {
  key: string;
  owner: string;
  acquiredAt: number;
  expiresAt: number;
  /** True when the expiry has passed (anyone may take the lease over). */
  expired: boolean;
}

export interface MetadataStore {
  readonly flavor: string;
  /** Where the store lives, for display and run records, with any password redacted. */
  readonly uri: string;
  /** Schema version of the open store. */
  schemaVersion(): Promise<number>;

  createRun(run: RunRecord): Promise<void>;
  finishRun(id: string, status: RunStatus, endedAt: string, error: StoredError | null): Promise<void>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Runs whose id starts with `prefix` (at most `limit`). */
  findRuns(prefix: string, limit?: number): Promise<RunRecord[]>;
  /** Newest first. */
  listRuns(query?: RunQuery): Promise<RunRecord[]>;
  countRuns(query?: RunQuery): Promise<number>;

  createStepRun(stepRun: StepRunRecord, inputs: readonly EventRecord[]): Promise<void>;
  /** Record the end of a step run, and for a success its new artifacts and output events, in one transaction. */
  finishStepRun(
    id: string,
    patch: Pick<StepRunRecord, "status" | "endedAt" | "durationMs" | "attempts" | "error" | "logBlob" | "meta">,
    outputs: readonly NewOutput[],
    reused?: readonly EventRecord[],
  ): Promise<void>;
  getStepRun(id: string): Promise<StepRunRecord | undefined>;
  listStepRuns(runId: string): Promise<StepRunRecord[]>;
  /** The latest successful step run with this cache key and its output events. */
  findCached(cacheKey: string): Promise<{ stepRun: StepRunRecord; outputs: EventRecord[] } | undefined>;
  /**
   * Delete a step run that did not succeed (its executor died mid-step, or it was interrupted), with its input
   * events and metrics, so the step can run again under a new record (a step name is unique within a run).
   * Refuses (`USAGE`) a succeeded step run or one that produced artifacts; no effect when there is no such id.
   */
  discardStepRun(id: string): Promise<void>;
  /** Mark running step runs of a run as `status` (cancel/interrupt). */
  endRunningSteps(runId: string, status: StepStatus, endedAt: string): Promise<void>;

  getArtifact(id: string): Promise<ArtifactRecord | undefined>;
  findArtifacts(prefix: string, limit?: number): Promise<ArtifactRecord[]>;
  listArtifacts(query?: { limit?: number; offset?: number }): Promise<ArtifactRecord[]>;
  /** Blobs an artifact uses. */
  artifactBlobs(artifactId: string): Promise<string[]>;
  eventsOfStepRuns(stepRunIds: readonly string[]): Promise<EventRecord[]>;
  eventsOfArtifacts(artifactIds: readonly string[]): Promise<EventRecord[]>;

  logMetrics(metrics: readonly MetricRecord[]): Promise<void>;
  metricsOfRun(runId: string): Promise<(MetricRecord & { stepName: string })[]>;

  /** Runs matching a search (parameters and last metric values are indexed), one page of them, and the total. */
  searchRuns(query: RunSearch): Promise<{ total: number; runs: RunRecord[] }>;
  /**
   * The last value of every `step.metric` of each run (a cache hit's step has the values of the step run it
   * reused), keys sorted.
   */
  lastMetricsOfRuns(runIds: readonly string[]): Promise<Record<string, Record<string, number>>>;
  /** Pipelines of all runs, and the parameter and metric keys of the `sample` most recent runs. */
  runFacetKeys(sample: number): Promise<RunFacetKeys>;

  /**
   * Take the lease on `key` for `ttlMs` (measured on the store's clock) when it is free, expired, or already
   * held by `owner` (then it is extended). Atomic across processes and machines: of concurrent callers with
   * different owners, at most one gets `true`.
   */
  acquireLease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extend a lease `owner` still holds (even if expired, as long as nobody took it over); false when lost. */
  renewLease(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give up a lease (no effect when `owner` does not hold it). */
  releaseLease(key: string, owner: string): Promise<void>;
  /** The lease on `key`, if any row exists (expired or not). */
  getLease(key: string): Promise<LeaseInfo | undefined>;

  /** Runs still `running` (to detect dead owners). */
  runningRuns(): Promise<RunRecord[]>;
  /**
   * Delete runs (with their step runs, events and metrics) and the artifacts no remaining event uses.
   * Cache entries are step runs, so none can point at a deleted artifact. Returns blobs no artifact uses any more.
   */
  deleteRuns(ids: readonly string[]): Promise<{ artifacts: string[]; blobs: string[] }>;
  close(): Promise<void>;
}
