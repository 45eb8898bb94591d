/**
 * Order-statistic selection on a Float64Array: the value an ascending sort would put at index k, found in
 * expected linear time by quickselect with a median-of-three pivot and three-way partitioning (values below,
 * equal to and above the pivot), so that runs of equal values, the usual case for small counts, end the search
 * in one pass. Falls back to sorting the remaining range after too many rounds, so the worst case stays
 * O(n log n).
 * @module
 */

/** Partition rounds before the sort fallback (an even split needs about log2(n) of them). */
const MAX_ROUNDS = 64;

/**
 * The k-th smallest value (0-based) of `values`, i.e. `Float64Array.from(values).sort()[k]`. Reorders `values`
 * in place. The values must not be NaN (callers sort instead when they may be).
 * @example
 * selectKth(Float64Array.of(5, 1, 4, 1), 2); // 4
 */
export function selectKth(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  for (let round = 0; hi > lo; round++) {
    if (round === MAX_ROUNDS) {
      values.subarray(lo, hi + 1).sort();
      return values[k];
    }
    const pivot = medianOfThree(values[lo], values[(lo + hi) >>> 1], values[hi]);
    // Invariant: values[lo..lt-1] < pivot, values[lt..i-1] === pivot, values[gt+1..hi] > pivot.
    let lt = lo;
    let i = lo;
    let gt = hi;
    while (i <= gt) {
      const v = values[i];
      if (v < pivot) {
        values[i++] = values[lt];
        values[lt++] = v;
      } else if (v > pivot) {
        values[i] = values[gt];
        values[gt--] = v;
      } else {
        i++;
      }
    }
    if (k < lt) hi = lt - 1;
    else if (k > gt) lo = gt + 1;
    else return pivot;
  }
  return values[k];
}

function medianOfThree(a: number, b: number, c: number): number {
  if (a < b) return b < c ? b : a < c ? c : a;
  return a < c ? a : b < c ? c : b;
}
