/**
 * Small metric helpers: log loss with clipping, safe division, calibration bins and histograms.
 * @module
 */
import type { CalibrationBin, HistogramBin } from "../types.js";

/** Probabilities are clipped to `[EPSILON, 1 − EPSILON]` before taking logs (Keras' epsilon). */
export const EPSILON = 1e-7;

/** −ln(p) of a probability, clipped. */
export function negLog(p: number): number {
  return -Math.log(Math.min(1 - EPSILON, Math.max(EPSILON, p)));
}

/** a / b, or 0 when b is 0 (precision/recall of an empty set, as Keras and TFMA report). */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Harmonic mean of precision and recall (0 when both are 0). */
export function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/**
 * Equal-width bins over [0, 1]: each value `x[i]` falls in bin `min(floor(x·bins), bins − 1)` (values outside [0, 1]
 * go to the edge bins); per bin the count, mean value and mean of `y`.
 * @example
 * ```ts
 * calibrationBins([0.05, 0.15, 0.95, 1], [0, 1, 1, 1], 2); // [0,0.5): 2 rows, mean 0.1, label 0.5; [0.5,1]: 2, 0.975, 1
 * ```
 */
export function calibrationBins(x: ArrayLike<number>, y: ArrayLike<number>, bins: number, n = x.length): CalibrationBin[] {
  const count = new Float64Array(bins);
  const sx = new Float64Array(bins);
  const sy = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const v = x[i] as number;
    const b = Math.min(bins - 1, Math.max(0, Math.floor(v * bins)));
    count[b] = (count[b] as number) + 1;
    sx[b] = (sx[b] as number) + v;
    sy[b] = (sy[b] as number) + (y[i] as number);
  }
  return Array.from({ length: bins }, (_, b) => {
    const c = count[b] as number;
    return { lower: b / bins, upper: (b + 1) / bins, count: c, meanPrediction: c ? (sx[b] as number) / c : null, meanLabel: c ? (sy[b] as number) / c : null };
  });
}

/** Equal-width histogram between the smallest and largest value (one bin when they are equal; none without values). */
export function histogram(values: ArrayLike<number>, bins: number, n = values.length): HistogramBin[] {
  if (n === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) return [{ lower: lo, upper: hi, count: n }];
  const width = (hi - lo) / bins;
  const counts = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor(((values[i] as number) - lo) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  return Array.from({ length: bins }, (_, b) => ({ lower: lo + b * width, upper: b === bins - 1 ? hi : lo + (b + 1) * width, count: counts[b] as number }));
}
