/**
 * Histograms built from a quantile sketch: `QUANTILES` (equal counts, quantile bounds, as TFDV) and `STANDARD`
 * (equal widths between min and max, counts from the sketch's ranks; exact while the sketch is exact).
 * @module
 */
import type { KllSketch } from "./kll.js";
import type { Histogram, HistogramBucket } from "./types.js";

/** Values around a sketch of finite values: counts of infinities and NaNs, and the exact extremes. */
export interface SketchContext {
  readonly numNan: number;
  readonly numNegInf: number;
  readonly numPosInf: number;
  /** Exact smallest and largest finite value (ignored when the sketch is empty). */
  readonly finiteMin: number;
  readonly finiteMax: number;
}

/** Total number of non-NaN values described by a sketch and its context. */
export function totalCount(sketch: KllSketch, ctx: SketchContext): number {
  return ctx.numNegInf + sketch.count + ctx.numPosInf;
}

/**
 * The value at 1-based rank `rank` among all non-NaN values (negative infinities first, then the sketch, then
 * positive infinities); rank 1 and the last rank return the exact extremes.
 */
export function valueAtRank(sketch: KllSketch, ctx: SketchContext, rank: number): number {
  if (rank <= ctx.numNegInf) return Number.NEGATIVE_INFINITY;
  if (rank > ctx.numNegInf + sketch.count) return Number.POSITIVE_INFINITY;
  const r = rank - ctx.numNegInf;
  if (r <= 1) return ctx.finiteMin;
  if (r >= sketch.count) return ctx.finiteMax;
  return sketch.valueAtRank(r);
}

/** The `numerator/denominator` quantile: the value at rank `max(1, ceil(n * numerator / denominator))`. */
export function quantileOf(sketch: KllSketch, ctx: SketchContext, numerator: number, denominator: number): number {
  const total = totalCount(sketch, ctx);
  if (total === 0) return Number.NaN;
  return valueAtRank(sketch, ctx, Math.max(1, Math.ceil((numerator * total) / denominator)));
}

/**
 * A `QUANTILES` histogram of `buckets` buckets: bucket i spans the i/B and (i+1)/B quantiles and holds n/B values.
 * @example
 * // values 1..10, 5 buckets -> [1,2] [2,4] [4,6] [6,8] [8,10], each with 2 values
 */
export function quantilesHistogram(sketch: KllSketch, ctx: SketchContext, buckets: number): Histogram {
  const total = totalCount(sketch, ctx);
  const out: HistogramBucket[] = [];
  if (total > 0) {
    const bounds: number[] = [];
    for (let i = 0; i <= buckets; i++) bounds.push(quantileOf(sketch, ctx, i, buckets));
    for (let i = 0; i < buckets; i++) {
      out.push({ lowValue: bounds[i], highValue: bounds[i + 1], sampleCount: total / buckets });
    }
  }
  return { type: "QUANTILES", numNan: ctx.numNan, numUndefined: 0, buckets: out };
}

/**
 * A `STANDARD` histogram: `buckets` equal-width buckets over [finiteMin, finiteMax] (the last one closed), one
 * bucket when all finite values are equal, plus a `[-inf, -inf]` and a `[+inf, +inf]` bucket for infinities.
 */
export function standardHistogram(sketch: KllSketch, ctx: SketchContext, buckets: number): Histogram {
  const out: HistogramBucket[] = [];
  const n = sketch.count;
  if (ctx.numNegInf > 0) {
    out.push({ lowValue: Number.NEGATIVE_INFINITY, highValue: Number.NEGATIVE_INFINITY, sampleCount: ctx.numNegInf });
  }
  if (n > 0) {
    const { finiteMin: lo, finiteMax: hi } = ctx;
    if (lo === hi) {
      out.push({ lowValue: lo, highValue: hi, sampleCount: n });
    } else {
      const width = (hi - lo) / buckets;
      const bounds: number[] = [];
      for (let j = 0; j < buckets; j++) bounds.push(lo + j * width);
      bounds.push(hi);
      let below = 0;
      for (let j = 0; j < buckets; j++) {
        const upTo = j === buckets - 1 ? n : sketch.rank(bounds[j + 1]);
        out.push({ lowValue: bounds[j], highValue: bounds[j + 1], sampleCount: upTo - below });
        below = upTo;
      }
    }
  }
  if (ctx.numPosInf > 0) {
    out.push({ lowValue: Number.POSITIVE_INFINITY, highValue: Number.POSITIVE_INFINITY, sampleCount: ctx.numPosInf });
  }
  return { type: "STANDARD", numNan: ctx.numNan, numUndefined: 0, buckets: out };
}
