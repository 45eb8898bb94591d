/**
 * The in-memory form of a `tf.train.Example`: a map from feature name to one typed list of values.
 *
 * A feature that is present but has an empty list (TFX writes these for missing values) is kept as a feature
 * whose `values` is empty; an absent feature is simply not a key of the map.
 * @module
 */

/** `bytes_list`: raw bytes (UTF-8 strings are the common case). */
export interface BytesFeature {
  readonly kind: "bytes";
  readonly values: readonly Uint8Array[];
}

/** `float_list`: float32 values. */
export interface FloatFeature {
  readonly kind: "float";
  readonly values: Float32Array;
}

/** `int64_list`: full 64-bit signed integers. */
export interface Int64Feature {
  readonly kind: "int64";
  readonly values: BigInt64Array;
}

/** One feature of an Example. */
export type Feature = BytesFeature | FloatFeature | Int64Feature;

/** The kind names of {@link Feature}. */
export type FeatureKind = Feature["kind"];

/** A `tf.train.Example`: feature name to feature. Key order carries no meaning (encoding sorts keys). */
export type Example = ReadonlyMap<string, Feature>;

/** A `tf.train.FeatureList`: the values of one feature over the steps of a sequence. */
export type FeatureList = readonly Feature[];

/** A `tf.train.SequenceExample`: per-example `context` features plus per-step `featureLists`. */
export interface SequenceExample {
  readonly context: Example;
  readonly featureLists: ReadonlyMap<string, FeatureList>;
}
