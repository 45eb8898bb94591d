/** The result of comparing runs (`koan compare`, the dashboard's Compare page). @module */
import type { JsonValue } from "../core/hash.js";
import type { MetricDirection } from "./direction.js";

/** A compared run, in the order the runs were given. */
export interface ComparedRun {
  id: string;
  pipeline: string;
  status: string;
  startedAt: string;
  durationMs: number | null;
}

/** One compared value per run (`null`: the run has none), and whether the runs differ on it. */
export interface DiffRow<V> {
  key: string;
  values: (V | null)[];
  differs: boolean;
}

/** A metric's last value per run. */
export interface MetricRow {
  /** `step.metric`, or `step.metric[slice]` for a slice metric. */
  key: string;
  step: string;
  name: string;
  /** The slice (e.g. `island=Biscoe`), or null for the overall value. */
  slice: string | null;
  direction: MetricDirection;
  values: (number | null)[];
  /** Indexes (into `runs`) of the best values; empty with fewer than two values. */
  best: number[];
  differs: boolean;
}

/** A metric's values over time per run (only metrics logged more than once in some run). */
export interface MetricSeries {
  key: string;
  /** Per run (same order as `runs`): points ordered by `x` (the logged step, else the order of logging). */
  points: { x: number; value: number }[][];
}

/** Everything `compareRuns` found. Rows list every key; `differs` marks the ones the runs disagree on. */
export interface Comparison {
  runs: ComparedRun[];
  /** Resolved parameters, flattened to `step.key`. */
  params: DiffRow<JsonValue>[];
  /** Code versions: the pipeline source hash, the git commit, and each step's code hash. */
  code: DiffRow<string>[];
  /** Dataset versions: content hashes of the source steps' outputs and of every `dataset` artifact (`step.port`). */
  datasets: DiffRow<string>[];
  metrics: MetricRow[];
  series: MetricSeries[];
}
