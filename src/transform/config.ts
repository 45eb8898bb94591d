/**
 * The preprocessing configuration (what `preprocess` takes as parameters): per-feature fill and ops, crosses,
 * the label, raw features to keep. Plain JSON, validated with zod; unlisted features get per-kind defaults.
 *
 * @example
 * ```ts
 * const config: PreprocessConfig = {
 *   label: "species",
 *   features: {
 *     "Body Mass (g)": ["log", "zscore"],               // ln(x + 1), then z-score (fitted on the log values)
 *     Island: { type: "vocabulary", topK: 5, output: "index" },
 *     Sex: { fill: "mode", ops: ["onehot"] },
 *   },
 *   crosses: [{ features: ["Island", "Sex"], buckets: 16 }],
 * };
 * ```
 * @module
 */
import { z } from "zod";

const output = z.enum(["index", "onehot"]).default("onehot");
const count = z.number().int().min(1);

/** One op of a feature's chain. Ops using analyzers: zscore, scale01, minmax, bucketize, vocabulary. */
export const opSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("zscore") }).strict(),
  z.object({ type: z.literal("scale01") }).strict(),
  z.object({ type: z.literal("minmax"), min: z.number().default(0), max: z.number().default(1) }).strict(),
  z.object({ type: z.literal("log"), offset: z.number().default(1) }).strict(),
  z.object({ type: z.literal("clip"), min: z.number().optional(), max: z.number().optional() }).strict(),
  z.object({ type: z.literal("bool") }).strict(),
  z.object({ type: z.literal("identity") }).strict(),
  z.object({ type: z.literal("bucketize"), buckets: z.number().int().min(2).default(10), output }).strict(),
  z
    .object({
      type: z.literal("vocabulary"),
      topK: count.optional(),
      minFrequency: count.default(1),
      oovBuckets: z.number().int().min(0).default(1),
      output,
    })
    .strict(),
  z.object({ type: z.literal("hash"), buckets: count.default(100), output }).strict(),
]);

/** Shorthand op names: `"onehot"` is a vocabulary with one-hot output, `"index"` one with index output. */
export const OP_SHORTHANDS = ["zscore", "scale01", "minmax", "log", "bool", "identity", "bucketize", "vocabulary", "onehot", "index", "hash"] as const;
const shorthand = z.enum(OP_SHORTHANDS);
const opLike = z.union([shorthand, opSchema]);

/** How a missing value is filled before the ops run. */
export const fillSchema = z.union([z.enum(["mean", "median", "mode", "zero", "none"]), z.object({ constant: z.union([z.number(), z.string()]) }).strict()]);

/** One feature's configuration: `"drop"`, an op, a list of ops, or `{ fill, ops, name }`. */
export const featureConfigSchema = z.union([
  z.literal("drop"),
  opLike,
  z.array(opLike).min(1),
  z
    .object({
      fill: fillSchema.optional(),
      ops: z.array(opLike).min(1).optional(),
      /** Output name (default: the raw name). */
      name: z.string().min(1).optional(),
    })
    .strict(),
]);

/** A feature cross: the features' categories (or raw values) joined and hashed into `buckets`. */
export const crossSchema = z
  .object({
    features: z.array(z.string()).min(2),
    buckets: count,
    output,
    name: z.string().min(1).optional(),
  })
  .strict();

/** The label: a column name, or with the task given explicitly. */
export const labelSchema = z.union([
  z.string().min(1),
  z.object({ name: z.string().min(1), task: z.enum(["classification", "regression"]).optional() }).strict(),
]);

/** Parameters of `preprocess` (and of steps made with `preprocessWith`). */
export const preprocessParams = z
  .object({
    /** Label column (encoded, never used as a feature). Omit for unlabelled data. */
    label: labelSchema.optional(),
    /** Per-feature configuration; features not listed get per-kind defaults unless `unlisted` is "drop". */
    features: z.record(z.string(), featureConfigSchema).default({}),
    /** `"default"`: unlisted features get per-kind defaults (zero-config); `"drop"`: only listed features. */
    unlisted: z.enum(["default", "drop"]).default("default"),
    /** Features to leave out entirely. */
    exclude: z.array(z.string()).default([]),
    crosses: z.array(crossSchema).default([]),
    /** Copy raw features beside the transformed ones (`true`: all used features). */
    keepRaw: z.union([z.boolean(), z.array(z.string())]).default(false),
    /** Name prefix of kept raw features. */
    rawPrefix: z.string().min(1).default("raw_"),
    /** The split the analyzers see (and only that one). */
    trainSplit: z.string().default("train"),
    /** Splits to transform (default: all). */
    splits: z.array(z.string()).min(1).optional(),
    /** Output shards per split (default: as many as the input split has). */
    shards: z.union([count, z.record(z.string(), count)]).optional(),
    /** Vocabulary size of the zero-config default for strings. */
    defaultTopK: count.default(100),
  })
  .strict();

/** Validated parameters of `preprocess`. */
export type PreprocessConfig = z.output<typeof preprocessParams>;
/** What may be written for `preprocess` parameters (defaults filled in). */
export type PreprocessConfigInput = z.input<typeof preprocessParams>;
/** One op (after defaults). */
export type OpConfig = z.output<typeof opSchema>;
/** One op as written (a shorthand or an object). */
export type OpLike = z.output<typeof opLike>;
/** One feature's configuration. */
export type FeatureConfig = z.output<typeof featureConfigSchema>;
/** A fill policy. */
export type FillConfig = z.output<typeof fillSchema>;
/** A feature cross. */
export type CrossConfig = z.output<typeof crossSchema>;

/** The op a shorthand stands for (with defaults). */
export function expandOp(op: OpLike): OpConfig {
  if (typeof op !== "string") return op;
  switch (op) {
    case "onehot":
      return { type: "vocabulary", minFrequency: 1, oovBuckets: 1, output: "onehot" };
    case "index":
      return { type: "vocabulary", minFrequency: 1, oovBuckets: 1, output: "index" };
    default:
      return opSchema.parse({ type: op });
  }
}
