/**
 * Distances between categorical value distributions, as TFDV computes them (`anomalies/metrics.cc`).
 * Inputs are value counts (e.g. from rank histograms); keys are visited in code-point (UTF-8 byte) order.
 * @module
 */
import { compareCodePoints } from "../stats/order.js";
import type { FeatureStatistics } from "../stats/types.js";

/** A distance and the value where the largest difference was found. */
export interface DistanceResult {
  readonly value: number;
  /** The value with the maximum difference ("" when both distributions are empty). */
  readonly maxDifferenceValue: string;
}

/**
 * The value counts of a string feature's statistics: its rank histogram (TFDV's source), or its top values when
 * it has no rank histogram. Empty for numeric features.
 */
export function valueCountsOf(feature: FeatureStatistics): Map<string, number> {
  const out = new Map<string, number>();
  const s = feature.stringStats;
  if (!s) return out;
  const entries = s.rankHistogram ? s.rankHistogram.buckets.map((b) => [b.label, b.sampleCount] as const) : s.topValues.map((v) => [v.value, v.frequency] as const);
  for (const [label, count] of entries) if (!out.has(label)) out.set(label, count);
  return out;
}

/**
 * L-infinity distance between two distributions given as counts, each normalized by its own total:
 * `max_i |a_i / Σa - b_i / Σb|`. Among equal maxima, the last value in code-point order is reported (as TFDV).
 * @example
 * lInfinityDistance(new Map([["a", 3], ["b", 1]]), new Map([["a", 1], ["b", 1]]))
 * // { value: 0.25, maxDifferenceValue: "b" }   (|0.75-0.5| = |0.25-0.5| = 0.25)
 */
export function lInfinityDistance(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): DistanceResult {
  return maxDifference(a, b, total(a), total(b));
}

/**
 * Normalized absolute difference: `max_i |a_i - b_i| / Σ(a_i + b_i)` (for datasets expected to have similar
 * absolute counts).
 * @example
 * normalizedAbsoluteDifference(new Map([["a", 3]]), new Map([["a", 1], ["b", 4]])) // { value: 0.5, maxDifferenceValue: "b" }
 */
export function normalizedAbsoluteDifference(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): DistanceResult {
  const scale = total(a) + total(b);
  return maxDifference(a, b, scale, scale);
}

/**
 * Jensen-Shannon divergence (base 2, so in [0, 1]) between two categorical distributions given as positive
 * counts: `(KL(P||M) + KL(Q||M)) / 2` with `M = (P + Q) / 2`, capped at 1.
 * @returns undefined when either map is empty or holds a non-positive count (TFDV reports no measurement then).
 * @example
 * jensenShannonDivergenceOfCounts(new Map([["a", 1]]), new Map([["b", 1]])) // 1
 */
export function jensenShannonDivergenceOfCounts(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number | undefined {
  if (a.size === 0 || b.size === 0) return undefined;
  for (const m of [a, b]) for (const c of m.values()) if (!(c > 0)) return undefined;
  const sa = total(a);
  const sb = total(b);
  let kl = 0;
  for (const key of sortedUnion(a, b)) {
    const ca = a.get(key) ?? 0;
    const cb = b.get(key) ?? 0;
    const p = ca / sa;
    const q = cb / sb;
    const m = (p + q) / 2;
    if (ca !== 0) kl += p * Math.log2(p / m);
    if (cb !== 0) kl += q * Math.log2(q / m);
  }
  return Math.min(kl / 2, 1);
}

function maxDifference(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>, sa: number, sb: number): DistanceResult {
  let best: DistanceResult = { value: 0, maxDifferenceValue: "" };
  for (const key of sortedUnion(a, b)) {
    const pa = sa === 0 ? 0 : (a.get(key) ?? 0) / sa;
    const pb = sb === 0 ? 0 : (b.get(key) ?? 0) / sb;
    const d = Math.abs(pa - pb);
    if (d >= best.value) best = { value: d, maxDifferenceValue: key };
  }
  return best;
}

function total(m: ReadonlyMap<string, number>): number {
  let s = 0;
  for (const v of m.values()) s += v;
  return s;
}

function sortedUnion(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort(compareCodePoints);
}
