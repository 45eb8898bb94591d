/**
 * Applying one fitted op to a value. Numeric ops map a number to a number; categorical ops (bucketize,
 * vocabulary, hash) map a value to a category index. Shared by the analysis pass (for the stateless ops before
 * an analyzer) and by the transform itself, so both see exactly the same numbers.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { hashBucket } from "./hash.js";
import type { FittedOp } from "./format.js";
import { categoryOf, type RawScalar } from "./values.js";

const TRUE = new Set(["1", "true", "t", "yes", "y"]);
const FALSE = new Set(["0", "false", "f", "no", "n", ""]);

/** Apply a numeric op (zscore, minmax, log, clip, bool, identity) to `x`. */
export function numericOp(op: FittedOp, x: number | string, feature: string): number {
  if (op.type === "bool") {
    if (typeof x === "number") return x !== 0 ? 1 : 0;
    const s = x.trim().toLowerCase();
    if (TRUE.has(s)) return 1;
    if (FALSE.has(s)) return 0;
    throw new KoanError("DATA_INVALID", `feature "${feature}": ${JSON.stringify(x)} is not a boolean (true/false, yes/no, 1/0)`, { details: { feature } });
  }
  if (typeof x !== "number") throw new KoanError("DATA_INVALID", `feature "${feature}": op "${op.type}" needs a number, got ${JSON.stringify(x)}`, { details: { feature } });
  switch (op.type) {
    case "zscore":
      return op.std > 0 ? (x - op.mean) / op.std : x - op.mean;
    case "minmax":
      return op.max > op.min ? op.outMin + ((x - op.min) / (op.max - op.min)) * (op.outMax - op.outMin) : (op.outMin + op.outMax) / 2;
    case "log": {
      const y = x + op.offset;
      if (!(y > 0)) {
        throw new KoanError("DATA_INVALID", `feature "${feature}": log of ${x} + ${op.offset} is undefined (not positive)`, {
          hint: "add a clip with a min before the log, or a larger offset",
          details: { feature },
        });
      }
      return Math.log(y);
    }
    case "clip":
      return op.min !== null && x < op.min ? op.min : op.max !== null && x > op.max ? op.max : x;
    case "identity":
      return x;
    default:
      throw new KoanError("INTERNAL", `op "${op.type}" is not numeric`);
  }
}

/** Number of boundaries ≤ x: bucket i holds boundaries[i-1] ≤ x < boundaries[i]. */
function bucketOf(boundaries: readonly number[], x: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((boundaries[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A compiled categorical op: value → index (-1: no category). */
export type CategoricalFn = (v: RawScalar | number) => number;

/** Compile a categorical op (bucketize, vocabulary, hash). */
export function categoricalOp(op: FittedOp, feature: string): CategoricalFn {
  switch (op.type) {
    case "bucketize":
      return (v) => {
        if (typeof v !== "number") throw new KoanError("DATA_INVALID", `feature "${feature}": bucketize needs a number, got ${JSON.stringify(v)}`, { details: { feature } });
        return bucketOf(op.boundaries, v);
      };
    case "vocabulary": {
      const index = new Map(op.vocabulary.map((v, i) => [v, i] as const));
      const n = op.vocabulary.length;
      return (v) => {
        const key = categoryOf(v);
        const i = v === null ? undefined : index.get(key);
        if (i !== undefined) return i;
        return op.oovBuckets > 0 ? n + hashBucket(key, op.oovBuckets) : -1;
      };
    }
    case "hash":
      return (v) => hashBucket(categoryOf(v), op.buckets);
    default:
      throw new KoanError("INTERNAL", `op "${op.type}" is not categorical`);
  }
}

/** True for ops whose output is a category index. */
export function isCategorical(op: { readonly type: string } | undefined): boolean {
  return op !== undefined && (op.type === "bucketize" || op.type === "vocabulary" || op.type === "hash");
}

/** Number of categories of a categorical op's output. */
export function cardinalityOf(op: FittedOp): number {
  if (op.type === "bucketize") return op.boundaries.length + 1;
  if (op.type === "vocabulary") return op.vocabulary.length + op.oovBuckets;
  if (op.type === "hash") return op.buckets;
  return 0;
}
