/**
 * Exact areas under the ROC and precision-recall curves, every distinct score a threshold (tied scores move
 * together, so ties count half, as in the Mann–Whitney statistic). The PR curve is interpolated between points
 * as Keras' `AUC(curve="PR", summation_method="interpolation")` (Davis & Goadrich) does, which TFMA reports.
 * @module
 */

/** Cumulative (true positives, false positives) after each group of tied scores, highest score first. */
function operatingPoints(scores: ArrayLike<number>, labels: ArrayLike<number>, n: number): { tp: Float64Array; fp: Float64Array; count: number } {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const tp = new Float64Array(n + 1);
  const fp = new Float64Array(n + 1);
  let k = 0;
  let i = 0;
  while (i < n) {
    const s = scores[order[i] as number] as number;
    let t = tp[k] as number;
    let f = fp[k] as number;
    while (i < n && scores[order[i] as number] === s) {
      if (labels[order[i] as number] === 1) t++;
      else f++;
      i++;
    }
    k++;
    tp[k] = t;
    fp[k] = f;
  }
  return { tp, fp, count: k + 1 };
}

/**
 * Area under the ROC curve (trapezoids through every distinct threshold). Null when the labels hold one class.
 * @example
 * ```ts
 * rocAuc([0.8, 0.5, 0.5, 0.2], [1, 1, 0, 0]); // 0.875: the tie between 0.5 and 0.5 counts half
 * ```
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, n = scores.length): number | null {
  const { tp, fp, count } = operatingPoints(scores, labels, n);
  const P = tp[count - 1] as number;
  const N = fp[count - 1] as number;
  if (P === 0 || N === 0) return null;
  let area = 0;
  for (let k = 1; k < count; k++) area += ((fp[k] as number) - (fp[k - 1] as number)) * ((tp[k] as number) + (tp[k - 1] as number)) / 2;
  return area / (P * N);
}

/**
 * Area under the precision-recall curve with Keras' interpolation between operating points. Null without positives.
 * @example
 * ```ts
 * prAuc([0.9, 0.8, 0.7], [1, 0, 1]); // (1 + 1 − ln 1.5) / 2 ≈ 0.79727
 * ```
 */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, n = scores.length): number | null {
  const { tp, fp, count } = operatingPoints(scores, labels, n);
  const P = tp[count - 1] as number;
  if (P === 0) return null;
  let sum = 0;
  for (let k = 0; k + 1 < count; k++) {
    const tp0 = tp[k] as number;
    const tp1 = tp[k + 1] as number;
    const p0 = tp0 + (fp[k] as number);
    const p1 = tp1 + (fp[k + 1] as number);
    const dtp = tp1 - tp0;
    const dp = p1 - p0;
    if (dp <= 0 || dtp === 0) continue;
    const slope = dtp / dp;
    const intercept = tp0 - slope * p0;
    const ratio = p0 > 0 && p1 > 0 ? p1 / p0 : 1;
    sum += slope * (dtp + intercept * Math.log(ratio));
  }
  return sum / P;
}
