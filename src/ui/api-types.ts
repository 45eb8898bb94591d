/**
 * The dashboard's JSON API: the shapes every `/api/...` endpoint returns. Types only (no runtime code), shared by
 * the server (src/ui) and the front-end (ui/), so both sides agree at compile time.
 * @module
 */
import type { JsonValue } from "../core/hash.js";
import type { Comparison } from "../compare/types.js";
import type { LineageGraph } from "../client/lineage.js";
import type { DatasetStatistics, FeatureStatistics } from "../data/stats/types.js";

export type { JsonValue, Comparison, LineageGraph, DatasetStatistics, FeatureStatistics };
export type { DiffRow, MetricRow } from "../compare/types.js";

/** Every error response: `{ error: {...} }` with an HTTP status (400, 401, 404, 405, 422, 500, 503). */
export interface ApiError {
  error: { code: string; message: string; hint?: string };
}

/** A stored error (message, code, stack) of a run or step. */
export interface ErrorView {
  code: string;
  message: string;
  hint?: string;
  stack?: string;
}

/** One row of the runs table. */
export interface RunSummary {
  id: string;
  pipeline: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  /** Resolved parameters, flattened to `step.key`. */
  params: Record<string, JsonValue>;
  /** Last value per `step.metric`. */
  metrics: Record<string, number>;
  error: string | null;
}

/** `GET /api/runs`: one page of runs. */
export interface RunPage {
  total: number;
  offset: number;
  limit: number;
  /** The sort applied, e.g. `-startedAt` or `metrics.evaluate.accuracy`. */
  sort: string;
  runs: RunSummary[];
}

/** `GET /api/runs/facets`: values to offer in the runs filters. */
export interface RunFacets {
  pipelines: string[];
  statuses: string[];
  /** Flattened parameter keys seen in recent runs. */
  params: string[];
  /** `step.metric` keys seen in recent runs. */
  metrics: string[];
}

/** A short view of an artifact, for links. */
export interface ArtifactSummary {
  id: string;
  type: string;
  outputName: string;
  contentHash: string;
  size: number;
  createdAt: string;
}

/** A metric's values over time. */
export interface MetricView {
  step: string;
  name: string;
  /** `x`: the logged step (epoch, iteration), else the order of logging. */
  points: { x: number; value: number; at: string }[];
  last: number;
  /** True when the step was a cache hit and these are the metrics of the step run it reused. */
  cached: boolean;
}

/** A step of a run: its state (or `pending` when it has not started), timings, cache use and ports. */
export interface StepView {
  name: string;
  /** The step run id (null while pending). */
  id: string | null;
  stepType: string;
  status: string;
  cacheHit: boolean;
  cachedFrom: string | null;
  codeHash: string;
  params: JsonValue;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  attempts: number;
  error: ErrorView | null;
  hasLog: boolean;
  inputs: { port: string; from: { step: string; port: string } | null; artifact: ArtifactSummary | null }[];
  outputs: { port: string; artifact: ArtifactSummary | null }[];
  metrics: MetricView[];
}

/** The kinds of artifacts that have their own pages. */
export type ArtifactKind = "dataset" | "statistics" | "anomalies" | "evaluation" | "deployment";

/** `GET /api/runs/:id`. */
export interface RunView {
  run: {
    id: string;
    pipeline: string;
    description: string | null;
    status: string;
    startedAt: string;
    endedAt: string | null;
    durationMs: number | null;
    pipelineFile: string | null;
    sourceHash: string;
    config: JsonValue;
    environment: JsonValue;
    /** Flavors and URIs only. */
    stack: JsonValue;
    error: ErrorView | null;
  };
  dag: { nodes: { name: string; stepType: string }[]; edges: { from: string; to: string; port: string }[] };
  steps: StepView[];
  metrics: MetricView[];
  /** How many artifacts of each special kind the run produced. */
  kinds: Record<ArtifactKind, number>;
}

/** `GET /api/runs/:id/steps/:step/log`. */
export interface LogView {
  step: string;
  /** The log text (its last `limit` bytes when `truncated`). */
  text: string;
  size: number;
  truncated: boolean;
  /** Why there is no log, when `text` is empty; for a running step, that the text is the log so far. */
  note: string | null;
  /** True while the step runs: `text` is its live log so far (`GET .../log/events` streams the rest). */
  live?: boolean;
}

/**
 * Events of `GET /api/runs/:id/steps/:step/log/events` (server-sent): `append` carries new lines of a running
 * step's log (`reset`: replace what was shown, a new attempt began); `end` says the step is no longer running
 * (fetch the stored log).
 */
export interface LogAppendEvent {
  text: string;
  reset: boolean;
}

/** `GET /api/artifacts/:id`. */
export interface ArtifactView {
  artifact: ArtifactSummary & { materializer: string; materializerVersion: number; uri: string; meta: JsonValue; blobs: number };
  /** The step run that computed it. */
  producer: { runId: string; step: string; stepRunId: string; port: string } | null;
  /** Step runs that read it. */
  consumers: { runId: string; step: string; stepRunId: string; port: string }[];
  /** Other step runs that output the same artifact (cache hits). */
  reusedBy: { runId: string; step: string; stepRunId: string; port: string }[];
}

/** `GET /api/artifacts/:id/preview`: what the artifact holds, or an error in place of it. */
export type Preview =
  | { kind: "json"; text: string; truncated: boolean }
  | { kind: "text"; name: string; text: string; size: number; truncated: boolean }
  | { kind: "binary"; name: string | null; size: number; hex: string }
  | { kind: "listing"; files: { path: string; size: number }[]; total: number; truncated: boolean }
  | { kind: "table"; splits: { name: string; rows: number | null; columns: string[]; sample: Record<string, JsonValue>[] }[] }
  | { kind: "none"; message: string }
  | { kind: "error"; code: string; message: string; hint?: string };

/** `GET /api/artifacts/:id/lineage?direction=up|down`. */
export type LineageView = LineageGraph;

/** `GET /api/compare?runs=a,b`. */
export type CompareView = Comparison;

/** An artifact of a special kind, found in a run, with its content normalized for its page. */
export interface KindItem<T> {
  artifact: ArtifactSummary;
  step: string;
  port: string;
  /** Normalized content, or null when it could not be read (see `error`). */
  content: T | null;
  error: string | null;
}

/** A dataset's splits and features (from its record and manifest). */
export interface DatasetContent {
  splits: { name: string; rows: number | null }[];
  features: Record<string, string>;
}

/** Statistics per split (TFDV's DatasetFeatureStatistics as plain data). */
export interface StatisticsContent {
  splits: DatasetStatistics[];
  anomalies: { feature: string; severity: string; description: string }[];
}

/** An evaluation: metrics overall and per slice, confusion matrix, calibration and blessing. */
export interface EvaluationContent {
  metrics: { slice: string | null; name: string; value: number }[];
  blessed: boolean | null;
  reasons: string[];
  confusion: { labels: string[]; matrix: number[][] } | null;
  calibration: { predicted: number; observed: number; count: number }[] | null;
}

/** A deployment: where a model is served. */
export interface DeploymentContent {
  target: string | null;
  endpoint: string | null;
  model: string | null;
  status: string | null;
  details: Record<string, JsonValue>;
}

/** `GET /api/runs/:id/data`. */
export interface DataView {
  runId: string;
  datasets: KindItem<DatasetContent>[];
  statistics: KindItem<StatisticsContent>[];
}

/** `GET /api/runs/:id/evaluation`. */
export interface EvaluationView {
  runId: string;
  evaluations: KindItem<EvaluationContent>[];
  /** Metrics logged more than once (training curves). */
  curves: MetricView[];
  /** Metrics logged once (final values). */
  scalars: MetricView[];
}

/** `GET /api/deployments/:artifact/health`: a live probe of a deployment's readiness endpoint. */
export interface DeploymentHealth {
  /** `up` (answered 2xx), `down` (a local/docker deployment that did not), `unknown` (not probed, or a remote one that did not answer). */
  state: "up" | "down" | "unknown";
  /** The URL probed, or null when nothing was probed. */
  url: string | null;
  httpStatus: number | null;
  latencyMs: number | null;
  detail: string;
  checkedAt: string;
}

/** `GET /api/deployments`: deployment artifacts across recent runs. */
export interface DeploymentsView {
  deployments: (KindItem<DeploymentContent> & { runId: string; runPipeline: string })[];
  /** How many recent artifacts were scanned. */
  scanned: number;
}

/** `GET /api/health`. */
export interface HealthView {
  ok: boolean;
  store: { ok: boolean; flavor: string; message: string | null };
  project: string;
  version: string;
  /** Set when the store is unreachable (status 503), as in every error response. */
  error?: ApiError["error"];
}
