/**
 * Approximate Jensen-Shannon divergence between two numeric histograms, as TFDV computes it
 * (`anomalies/metrics.cc`): both histograms are re-bucketed onto the union of their bucket boundaries assuming
 * values are uniform within each bucket; zero-width buckets become shared point masses; buckets with an infinite
 * bound become one extra bucket per side; NaNs become a bucket of their own per side (so NaNs in both always
 * count as a difference, as in TFDV). Then JSD = (KL(P||M) + KL(Q||M)) / 2 in base 2, capped at 1.
 * @module
 */
import type { Histogram } from "../stats/types.js";

interface Bucket {
  readonly low: number;
  readonly high: number;
  readonly count: number;
}

/**
 * The approximate JSD between two histograms of the same type.
 * @returns undefined when the types differ or either histogram holds no values.
 * @example
 * const h = (lo: number, hi: number, n: number) => ({ lowValue: lo, highValue: hi, sampleCount: n });
 * histogramJensenShannonDivergence(
 *   { type: "STANDARD", numNan: 0, numUndefined: 0, buckets: [h(0, 1, 1), h(1, 2, 1)] },
 *   { type: "STANDARD", numNan: 0, numUndefined: 0, buckets: [h(0, 1, 1), h(1, 2, 1)] },
 * ); // 0
 */
export function histogramJensenShannonDivergence(h1: Histogram, h2: Histogram): number | undefined {
  if (h1.type !== h2.type) return undefined;
  const [p, q] = alignHistograms(h1, h2);
  const np = normalize(p);
  const nq = normalize(q);
  if (!np || !nq) return undefined;
  let kl = 0;
  for (let i = 0; i < np.length; i++) {
    const m = (np[i] + nq[i]) / 2;
    if (np[i] > 0 && m > 0) kl += np[i] * Math.log2(np[i] / m);
    if (nq[i] > 0 && m > 0) kl += nq[i] * Math.log2(nq[i] / m);
  }
  return Math.min(kl / 2, 1);
}

/** The sample counts of both histograms on a common set of buckets (same length, same order). */
export function alignHistograms(h1: Histogram, h2: Histogram): [number[], number[]] {
  const s1 = strip(h1);
  const s2 = strip(h2);
  let b1 = s1.buckets;
  let b2 = s2.buckets;
  const bounds1 = boundaries(b1);
  const bounds2 = boundaries(b2);
  if (!sameSet(bounds1, bounds2)) {
    const all = [...new Set([...bounds1, ...bounds2])].sort((a, b) => a - b);
    b1 = rebucket(all, b1);
    b2 = rebucket(all, b2);
  }
  const c1 = b1.map((b) => b.count);
  const c2 = b2.map((b) => b.count);
  const points = [...new Set([...s1.points.keys(), ...s2.points.keys()])].sort((a, b) => a - b);
  for (const x of points) {
    c1.push(s1.points.get(x) ?? 0);
    c2.push(s2.points.get(x) ?? 0);
  }
  if (s1.infinite !== 0) {
    c1.push(s1.infinite);
    c2.push(0);
  }
  if (s2.infinite !== 0) {
    c1.push(0);
    c2.push(s2.infinite);
  }
  if (h1.numNan > 0 || h2.numNan > 0) {
    c1.push(0, h1.numNan);
    c2.push(h2.numNan, 0);
  }
  return [c1, c2];
}

function strip(h: Histogram): { buckets: Bucket[]; points: Map<number, number>; infinite: number } {
  const buckets: Bucket[] = [];
  const points = new Map<number, number>();
  let infinite = 0;
  for (const b of h.buckets) {
    if (!Number.isFinite(b.lowValue) || !Number.isFinite(b.highValue)) infinite += b.sampleCount;
    else if (b.lowValue === b.highValue) points.set(b.lowValue, (points.get(b.lowValue) ?? 0) + b.sampleCount);
    else buckets.push({ low: b.lowValue, high: b.highValue, count: b.sampleCount });
  }
  return { buckets, points, infinite };
}

function boundaries(buckets: readonly Bucket[]): number[] {
  return [...new Set(buckets.flatMap((b) => [b.low, b.high]))].sort((a, b) => a - b);
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** TFDV's `RebucketHistogram`: spread each bucket uniformly over the boundaries it covers. */
function rebucket(bounds: readonly number[], buckets: readonly Bucket[]): Bucket[] {
  const out: Bucket[] = [];
  const last = bounds.length - 1;
  let index = 0;
  for (const b of buckets) {
    while (b.low > bounds[index] && index < last) {
      out.push({ low: bounds[index], high: bounds[index + 1], count: 0 });
      index++;
    }
    const covered: number[] = [];
    while (b.high > bounds[index] && index < last) covered.push(bounds[index++]);
    covered.push(bounds[index]);
    const width = b.high - b.low;
    for (let i = 0; i + 1 < covered.length; i++) {
      out.push({ low: covered[i], high: covered[i + 1], count: ((covered[i + 1] - covered[i]) / width) * b.count });
    }
  }
  for (let i = index; i < last; i++) out.push({ low: bounds[i], high: bounds[i + 1], count: 0 });
  return out;
}

function normalize(counts: readonly number[]): number[] | undefined {
  let total = 0;
  for (const c of counts) total += c;
  if (total === 0) return undefined;
  return counts.map((c) => c / total);
}
