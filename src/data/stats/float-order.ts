/**
 * Sorting and merging of `Float64Array` ranges in exactly the order of `Float64Array.prototype.sort` (numeric,
 * -0 before +0), tuned for the buffers of the KLL sketch (a few hundred items per sort).
 *
 * Both avoid unpredictable branches (on random data a mispredicted comparison costs more than the comparison). The
 * sort is an interpolation bucket sort for smooth distributions, else a quicksort whose partition moves items by
 * the 0/1 outcome of their comparison; the merge picks one of two run heads by index arithmetic, with a front and
 * a back cursor at once (two independent dependency chains). Both run 1.5-3x faster than the runtime's
 * `Float64Array.prototype.sort` and a branching merge on random data (`.scratch/fsort.mjs`, `.scratch/merge.mjs`).
 * Comparisons use `<`, under which -0 and +0 tie; {@link fixZeroOrder} then puts the (contiguous) run of zeros
 * in order. NaN is not supported: the callers hold finite values only.
 * @module
 */

/** Module scratch (JS is single-threaded and nothing here re-enters); grown on demand, never shrunk. */
let scratch = new Float64Array(512);

/**
 * A scratch buffer of at least `n` items, shared by the functions of this module and their callers; its contents
 * are undefined after any call into this module.
 */
export function orderScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * Put the zeros of the sorted range `buf[lo, hi)` in order (all -0 before all +0). Under `<` the zeros of a
 * sorted range are contiguous, so this finds them by binary search: O(log n) when there are none.
 */
export function fixZeroOrder(buf: Float64Array, lo: number, hi: number): void {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if ((buf[mid] as number) < 0) a = mid + 1;
    else b = mid;
  }
  if (a === hi || buf[a] !== 0) return;
  let negatives = 0;
  let end = a;
  for (; end < hi && buf[end] === 0; end++) if (Object.is(buf[end], -0)) negatives++;
  if (negatives === 0 || negatives === end - a) return;
  buf.fill(-0, a, a + negatives);
  buf.fill(0, a + negatives, end);
}

/** 1 when `a < b`, else 0: a set-on-compare the JIT turns into no branch. */
function less(a: number, b: number): number {
  return ((a < b) as unknown as number) | 0;
}

/** True when `buf[0, len)` is already in `Float64Array.prototype.sort` order. */
function isSorted(buf: Float64Array, len: number): boolean {
  for (let i = 1; i < len; i++) {
    const u = buf[i - 1] as number;
    const v = buf[i] as number;
    if (u > v || (u === 0 && v === 0 && 1 / u > 1 / v)) return false;
  }
  return true;
}

/** Bucket indices and bucket starts for {@link bucketSort} (module scratch, grown on demand). */
let bucketOf = new Int32Array(512);
let bucketStart = new Int32Array(512);
/** Bucket sort gives up (for quicksort) when a bucket would hold more items than this: a skewed distribution. */
const BUCKET_MAX = 16;
/** Buffers shorter than this go straight to quicksort. */
const BUCKET_MIN_LENGTH = 64;

/**
 * Sort `a[0, len)` under `<` by interpolation: item x goes to bucket `floor((x - min) * len / (max - min))`, a
 * monotone map, so the buckets are in order and one insertion pass finishes them. Linear time, no unpredictable
 * branches, on smooth distributions; returns false (having changed nothing) when a bucket is too full (skewed or
 * few-valued data) or the range overflows, so the caller can sort another way.
 */
function bucketSort(a: Float64Array, len: number): boolean {
  let min = a[0] as number;
  let max = min;
  for (let i = 1; i < len; i++) {
    const v = a[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!(min < max)) return true; // all equal under `<` (±0 are put in order by the caller)
  const scale = len / (max - min);
  if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) return false;
  if (bucketOf.length < len) bucketOf = new Int32Array(Math.max(len, bucketOf.length * 2));
  if (bucketStart.length < len + 2) bucketStart = new Int32Array(Math.max(len + 2, bucketStart.length * 2));
  const of = bucketOf;
  const start = bucketStart;
  start.fill(0, 0, len + 2);
  for (let i = 0; i < len; i++) {
    const b = ((a[i] as number) - min) * scale; // in [0, len]: rounding is monotone and cannot pass len
    const k = b | 0;
    of[i] = k;
    const c = (start[k + 1] as number) + 1;
    if (c > BUCKET_MAX) return false; // skewed or few-valued: found out early
    start[k + 1] = c;
  }
  for (let k = 1; k <= len + 1; k++) start[k] = (start[k] as number) + (start[k - 1] as number);
  const tmp = orderScratch(len);
  for (let i = 0; i < len; i++) {
    const k = of[i] as number;
    const at = start[k] as number;
    tmp[at] = a[i] as number;
    start[k] = at + 1;
  }
  // Copy back with an insertion step per item: items only move within their (small) bucket.
  for (let i = 0; i < len; i++) {
    const v = tmp[i] as number;
    let j = i - 1;
    for (; j >= 0; j--) {
      const u = a[j] as number;
      if (v < u) a[j + 1] = u;
      else break;
    }
    a[j + 1] = v;
  }
  return true;
}

/** Ranges up to this many items are finished by insertion sort. */
const INSERTION_MAX = 16;

/** Insertion sort of `a[lo, hi)` under `<`. */
function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i] as number;
    let j = i - 1;
    for (; j >= lo; j--) {
      const u = a[j] as number;
      if (v < u) a[j + 1] = u;
      else break;
    }
    a[j + 1] = v;
  }
}

/**
 * Quicksort of `a[lo, hi)` under `<`: median-of-three pivot, branch-free Lomuto partition (each item is swapped
 * towards the front and the boundary advances by the 0/1 outcome of its comparison, so there is no branch to
 * mispredict), insertion sort for short ranges, and the runtime's sort past a depth budget (never quadratic).
 */
function quicksort(a: Float64Array, lo: number, hi: number, budget: number): void {
  while (hi - lo > INSERTION_MAX) {
    if (budget-- === 0) {
      a.subarray(lo, hi).sort();
      return;
    }
    const x = a[lo] as number;
    const y = a[(lo + hi) >>> 1] as number;
    const z = a[hi - 1] as number;
    const p = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let lt = lo; // a[lo, lt) < p <= a[lt, i)
    for (let i = lo; i < hi; i++) {
      const v = a[i] as number;
      a[i] = a[lt] as number;
      a[lt] = v;
      lt += less(v, p);
    }
    let le = lt;
    if (lt === lo) {
      // Nothing below the pivot: split off the items equal to it (a[lo, le) == p), so every round makes progress.
      for (let i = lo; i < hi; i++) {
        const v = a[i] as number;
        a[i] = a[le] as number;
        a[le] = v;
        le += less(p, v) ^ 1;
      }
    }
    if (lt - lo < hi - le) {
      quicksort(a, lo, lt, budget);
      lo = le;
    } else {
      quicksort(a, le, hi, budget);
      hi = lt;
    }
  }
  insertionSort(a, lo, hi);
}

/**
 * Sort `buf[0, len)` ascending in place, in exactly the order of `Float64Array.prototype.sort` (numeric, -0
 * before +0); `buf` must hold no NaN. Already sorted input costs one pass.
 * @example
 * const b = Float64Array.of(3, 0, -0, 1); sortFloat64Prefix(b, 4); // b: [-0, 0, 1, 3]
 */
export function sortFloat64Prefix(buf: Float64Array, len: number): void {
  if (len < 2 || isSorted(buf, len)) return;
  if (len < BUCKET_MIN_LENGTH || !bucketSort(buf, len)) quicksort(buf, 0, len, 2 * Math.ceil(Math.log2(len)) + 8);
  fixZeroOrder(buf, 0, len);
}

/**
 * Merge the sorted runs `src[lo, mid)` and `src[mid, hi)` (any lengths) into `dst[out, out + hi - lo)`, in
 * `Float64Array.prototype.sort` order; `src` and `dst` must be different buffers.
 * @example
 * const s = Float64Array.of(1, 4, 2, 3, 5); const d = new Float64Array(5);
 * mergeSortedRuns(s, 0, 2, 5, d, 0); // d: [1, 2, 3, 4, 5]
 */
export function mergeSortedRuns(src: Float64Array, lo: number, mid: number, hi: number, dst: Float64Array, out: number): void {
  let i = lo;
  let j = mid;
  let k = out;
  let ib = mid - 1;
  let jb = hi - 1;
  let kb = out + (hi - lo) - 1;
  // Rounds of r front and r back steps, r = min(items left in either run): no cursor can leave its run.
  for (;;) {
    const left = ib - i + 1;
    const right = jb - j + 1;
    const r = left < right ? left : right;
    if (r <= 0) break;
    for (let t = r; t > 0; t--) {
      const c = less(src[j] as number, src[i] as number);
      dst[k++] = src[i + c * (j - i)] as number;
      i += 1 - c;
      j += c;
      const d = less(src[jb] as number, src[ib] as number);
      dst[kb--] = src[jb + d * (ib - jb)] as number;
      ib -= d;
      jb -= 1 - d;
    }
  }
  while (i <= ib) dst[k++] = src[i++] as number;
  while (j <= jb) dst[k++] = src[j++] as number;
  fixZeroOrder(dst, out, out + (hi - lo));
}
