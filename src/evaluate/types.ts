/**
 * The evaluation result (format `koan.evaluation`, version 1): metrics per split, overall and per slice, the
 * thresholds checked and the blessing. Plain JSON; undefined metrics (an AUC on a slice with one class, R² of a
 * constant label) are `null`.
 * @module
 */
import type { TaskKind } from "../train/feature-spec.js";

/** Current format version of {@link Evaluation}. */
export const EVALUATION_VERSION = 1;

/** One column of a slice: a feature's values, or buckets of a numeric feature (by boundaries). */
export interface SliceColumn {
  readonly feature: string;
  /** Sorted bucket boundaries: buckets are `[-inf, b0)`, `[b0, b1)`, ..., `[bn, inf)`. */
  readonly boundaries?: readonly number[];
}

/** A slicing spec: one column (by value or bucket) or several crossed. */
export type SliceSpec = readonly SliceColumn[];

/** A calibration bin: predictions in `[lower, upper)` (the last bin includes 1). */
export interface CalibrationBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  /** Mean prediction of the bin (null when empty). */
  readonly meanPrediction: number | null;
  /** Fraction of positive labels (binary) or of correct top predictions (multiclass) in the bin. */
  readonly meanLabel: number | null;
}

/** A histogram bin over `[lower, upper)` (the last bin includes `upper`). */
export interface HistogramBin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

/** Per-class figures of a multiclass evaluation (one-vs-rest). */
export interface ClassMetrics {
  readonly support: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly auc: number | null;
  readonly auc_pr: number | null;
}

/** Metrics of one slice of one split. */
export interface SliceResult {
  /** `Overall`, or TFMA's form: `island:Biscoe`, `island_X_sex:Biscoe_X_MALE`. */
  readonly slice: string;
  /** The slice's column values (empty for Overall). */
  readonly values: Readonly<Record<string, string>>;
  readonly exampleCount: number;
  /** Scalar metrics by name (see docs/evaluation.md for the list per task). */
  readonly metrics: Readonly<Record<string, number | null>>;
  /** Rows are true classes, columns predicted classes (classification). */
  readonly confusionMatrix?: { readonly labels: readonly string[]; readonly matrix: readonly (readonly number[])[] };
  /** Classification: reliability bins. */
  readonly calibration?: readonly CalibrationBin[];
  /** Multiclass: one-vs-rest figures per class name. */
  readonly perClass?: Readonly<Record<string, ClassMetrics>>;
  /** Regression: histogram of residuals (label − prediction). */
  readonly residualHistogram?: readonly HistogramBin[];
}

/** The results of one split. */
export interface SplitEvaluation {
  readonly split: string;
  readonly overall: SliceResult;
  /** Every slice seen, ordered by spec then slice key. */
  readonly slices: readonly SliceResult[];
}

/** A threshold on one metric (TFMA `MetricThreshold`). */
export interface MetricThreshold {
  readonly metric: string;
  /** The split it applies to (default: the first split evaluated). */
  readonly split?: string;
  /** The slice it applies to (default `Overall`). */
  readonly slice?: string;
  /** Bounds on the value (inclusive). */
  readonly value?: { readonly lowerBound?: number; readonly upperBound?: number };
  /**
   * Bounds on the change against the baseline (candidate − baseline): with `higher_is_better` the change must be
   * ≥ `absolute` (e.g. −0.01: at most 0.01 worse) and the relative change ≥ `relative`; with `lower_is_better`,
   * ≤ them.
   */
  readonly change?: { readonly direction: "higher_is_better" | "lower_is_better"; readonly absolute?: number; readonly relative?: number };
}

/** The outcome of one threshold. */
export interface ThresholdCheck {
  readonly metric: string;
  readonly split: string;
  readonly slice: string;
  readonly kind: "value" | "change";
  readonly status: "passed" | "failed" | "skipped";
  readonly value: number | null;
  readonly baseline: number | null;
  readonly message: string;
}

/** Whether the model passed its thresholds, and why. */
export interface Blessing {
  readonly blessed: boolean;
  /** Human-readable reasons: the failed checks, or why it is blessed. */
  readonly reasons: readonly string[];
  readonly checks: readonly ThresholdCheck[];
  /** The evaluation compared against (its artifact id when known), or null. */
  readonly baseline: { readonly id: string | null; readonly model: unknown } | null;
}

/** An evaluation. */
export interface Evaluation {
  readonly format: "koan.evaluation";
  readonly version: number;
  readonly task: TaskKind;
  readonly label: string;
  readonly classes: readonly string[] | null;
  /** Binary decision threshold (a prediction above it is positive). */
  readonly decisionThreshold: number;
  /** What was evaluated (trainer, seed, ... from the model), when known. */
  readonly model: unknown;
  readonly splits: readonly SplitEvaluation[];
  readonly thresholds: readonly MetricThreshold[];
  readonly blessing: Blessing;
}
