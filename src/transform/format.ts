/**
 * The fitted transform (artifact kind `transform`, format `koan.transform` version 1): everything needed to turn
 * a raw row into model inputs, as plain JSON data. It holds the input signature (raw feature names and kinds),
 * the fitted feature plan (each op carries the analyzer outputs it needs: means, bounds, bucket boundaries,
 * vocabularies), the label encoding, and the analyzer summaries of the training split.
 *
 * ```json
 * { "format": "koan.transform", "version": 1, "trainSplit": "train", "trainRows": 240,
 *   "inputs": [{ "name": "bill_mm", "kind": "float" }, { "name": "island", "kind": "bytes" }],
 *   "label": { "name": "species", "kind": "bytes", "task": "classification", "classes": ["Adelie", "Gentoo"] },
 *   "features": [{ "name": "bill_mm", "source": "bill_mm", "fill": 43.9,
 *                  "ops": [{ "type": "zscore", "mean": 43.9, "std": 5.4 }], "dtype": "float32", "shape": [] }],
 *   "crosses": [], "custom": [], "raw": [], "analyzers": { "bill_mm": { "count": 240, "missing": 2, ... } } }
 * ```
 * @module
 */
import type { FeatureKind } from "../data/example/types.js";

/** Name of the format, stored in the artifact. */
export const TRANSFORM_FORMAT = "koan.transform";
/** Version written by this Koan; older versions are read too. */
export const TRANSFORM_FORMAT_VERSION = 1;

/** A categorical op's output: an int64 index, or a one-hot float32 vector. */
export type CategoricalOutput = "index" | "onehot";

/** A fitted op: the op of the plan plus the analyzer outputs it needs. */
export type FittedOp =
  | { readonly type: "zscore"; readonly mean: number; readonly std: number }
  | { readonly type: "minmax"; readonly min: number; readonly max: number; readonly outMin: number; readonly outMax: number }
  | { readonly type: "log"; readonly offset: number }
  | { readonly type: "clip"; readonly min: number | null; readonly max: number | null }
  | { readonly type: "bool" }
  | { readonly type: "identity" }
  | { readonly type: "bucketize"; readonly boundaries: readonly number[]; readonly output: CategoricalOutput }
  | {
      readonly type: "vocabulary";
      /** Known values, most frequent first (ties by value); value i has index i. */
      readonly vocabulary: readonly string[];
      /** Unknown values go to `vocabulary.length + hashBucket(value, oovBuckets)`, or -1 / all zeros with 0. */
      readonly oovBuckets: number;
      readonly output: CategoricalOutput;
    }
  | { readonly type: "hash"; readonly buckets: number; readonly output: CategoricalOutput };

/** Data type of a model input. */
export type OutputDtype = "float32" | "int64";

/** A transformed feature: where it comes from, how missing values are filled, and its ops in order. */
export interface FittedFeature {
  /** Output name (the raw name unless renamed). */
  readonly name: string;
  /** Raw feature it reads. */
  readonly source: string;
  /** Raw kind of the source. */
  readonly kind: FeatureKind;
  /** Value used for a missing raw value (`null`: none; strings then go to out-of-vocabulary). */
  readonly fill: number | string | null;
  readonly ops: readonly FittedOp[];
  readonly dtype: OutputDtype;
  /** `[]` for a scalar, `[n]` for a vector (one-hot). */
  readonly shape: readonly number[];
  /** Number of categories of an index output (for embeddings). */
  readonly cardinality?: number;
}

/** A fitted feature cross: hashed combination of the features' categories (or raw values). */
export interface FittedCross {
  readonly name: string;
  readonly features: readonly string[];
  readonly buckets: number;
  readonly output: CategoricalOutput;
  readonly dtype: OutputDtype;
  readonly shape: readonly number[];
  readonly cardinality?: number;
}

/** A user-defined transform: its code is kept for identity (and optionally for re-compilation). */
export interface FittedCustom {
  readonly name: string;
  /** Raw features it reads (and whose analyzers it may use). */
  readonly inputs: readonly string[];
  /** Output width: 1 gives a scalar. */
  readonly size: number;
  /** Value used when the function returns null (null: a null result is an error). */
  readonly fill: number | null;
  /** The function's source text. */
  readonly source: string;
  /** SHA-256 of the normalised source. */
  readonly codeHash: string;
  readonly dtype: "float32";
  readonly shape: readonly number[];
}

/** How the label is encoded. */
export interface FittedLabel {
  readonly name: string;
  readonly kind: FeatureKind;
  readonly task: "classification" | "regression";
  /** Classification: class names; class i is encoded as i. */
  readonly classes?: readonly string[];
}

/** Analyzer outputs of one raw feature over the training split (non-missing values). */
export interface AnalyzerSummary {
  readonly count: number;
  readonly missing: number;
  readonly mean?: number;
  readonly variance?: number;
  readonly min?: number;
  readonly max?: number;
  /** 101 points: the 0th, 1st, ..., 100th percentiles. */
  readonly percentiles?: readonly number[];
  /** Distinct values, most frequent first, with counts (at most 10,000 kept). */
  readonly top?: readonly (readonly [string, number])[];
  readonly distinct?: number;
}

/** A raw feature of the input signature. */
export interface RawInput {
  readonly name: string;
  readonly kind: FeatureKind;
}

/** Version 1 of the fitted transform. */
export interface FittedTransform {
  readonly format: typeof TRANSFORM_FORMAT;
  readonly version: number;
  /** Split the analyzers saw, and its row count. */
  readonly trainSplit: string;
  readonly trainRows: number;
  /** Raw features a row must (or may) carry: the input signature. */
  readonly inputs: readonly RawInput[];
  readonly label: FittedLabel | null;
  readonly features: readonly FittedFeature[];
  readonly crosses: readonly FittedCross[];
  readonly custom: readonly FittedCustom[];
  /** Raw features copied beside the transformed ones, and the prefix of their copies. */
  readonly raw: { readonly prefix: string; readonly features: readonly RawInput[] };
  /** Analyzer outputs per raw feature (of the training split). */
  readonly analyzers: { readonly [feature: string]: AnalyzerSummary };
}
