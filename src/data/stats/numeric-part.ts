/**
 * The numeric part of a feature's streaming state: moments, extrema, zero/NaN/infinity counts and a quantile
 * sketch of the finite values.
 * @module
 */
import { KllSketch, type KllState } from "./kll.js";
import { Moments, type MomentsState } from "./moments.js";

/** JSON form of the numeric part of a feature's state. */
export interface NumericState {
  /** Moments of the finite values. */
  readonly moments: MomentsState;
  /** Smallest and largest finite value (null before any). */
  readonly min: number | null;
  readonly max: number | null;
  readonly numZeros: number;
  readonly numNan: number;
  readonly numPosInf: number;
  readonly numNegInf: number;
  /** Quantile sketch of the finite values. */
  readonly sketch: KllState;
}

/** The finite values of one {@link NumericPart.addStrided} call (module scratch: JS is single-threaded). */
let finite = new Float64Array(1024);

/** Mutable numeric state of one feature. */
export class NumericPart {
  moments = new Moments();
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  numZeros = 0;
  numNan = 0;
  numPosInf = 0;
  numNegInf = 0;
  sketch: KllSketch;

  constructor(k: number) {
    this.sketch = new KllSketch(k);
  }

  /** Add one value (NaN and ±Infinity are only counted). */
  add(x: number): void {
    if (x - x === 0) {
      // finite
      if (x === 0) this.numZeros++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      this.moments.add(x);
      this.sketch.add(x);
    } else if (x !== x) {
      this.numNan++;
    } else if (x > 0) {
      this.numPosInf++;
    } else {
      this.numNegInf++;
    }
  }

  /**
   * Add `values[r]` for rows `r = first, first + step, ...` below `end` whose `valid[r]` is 1 (every row when
   * `valid` is null), each rounded to float32 first when `float`: the same state as one {@link add} per value.
   * Counts and extrema are kept in locals; moments and the sketch take the finite values in bulk.
   * @example
   * part.addStrided(Float64Array.of(1, NaN, 2, 3), 0, 4, 2, null, false); // as part.add(1); part.add(2)
   */
  addStrided(values: ArrayLike<number>, first: number, end: number, step: number, valid: Uint8Array | null, float: boolean): void {
    const most = end > first ? Math.ceil((end - first) / step) : 0;
    if (finite.length < most) finite = new Float64Array(Math.max(most, finite.length * 2));
    const buf = finite;
    let w = 0;
    let min = this.min;
    let max = this.max;
    let zeros = 0;
    let other = 0; // NaN and ±Infinity, sorted out below (rare)
    for (let r = first; r < end; r += step) {
      if (valid !== null && valid[r] !== 1) continue;
      const x = float ? Math.fround(values[r] as number) : (values[r] as number);
      if (x - x === 0) {
        if (x === 0) zeros++;
        if (x < min) min = x;
        if (x > max) max = x;
        buf[w++] = x;
      } else other++;
    }
    if (other > 0) {
      for (let r = first; r < end; r += step) {
        if (valid !== null && valid[r] !== 1) continue;
        const x = float ? Math.fround(values[r] as number) : (values[r] as number); // may round to ±Infinity
        if (x !== x) this.numNan++;
        else if (x === Number.POSITIVE_INFINITY) this.numPosInf++;
        else if (x === Number.NEGATIVE_INFINITY) this.numNegInf++;
      }
    }
    this.numZeros += zeros;
    this.min = min;
    this.max = max;
    this.moments.addMany(buf, 0, w);
    this.sketch.addMany(buf, 0, w);
  }

  /** Fold another numeric part into this one (`o` is not modified). */
  merge(o: NumericPart): void {
    this.moments.merge(o.moments);
    if (o.min < this.min) this.min = o.min;
    if (o.max > this.max) this.max = o.max;
    this.numZeros += o.numZeros;
    this.numNan += o.numNan;
    this.numPosInf += o.numPosInf;
    this.numNegInf += o.numNegInf;
    this.sketch.merge(o.sketch);
  }

  /** Number of finite values. */
  get finiteCount(): number {
    return this.moments.count;
  }

  /** Plain-data state, for JSON. */
  toJSON(): NumericState {
    const seen = this.moments.count > 0;
    return {
      moments: this.moments.toJSON(),
      min: seen ? this.min : null,
      max: seen ? this.max : null,
      numZeros: this.numZeros,
      numNan: this.numNan,
      numPosInf: this.numPosInf,
      numNegInf: this.numNegInf,
      sketch: this.sketch.toJSON(),
    };
  }

  /** Rebuild from {@link NumericPart.toJSON} output. */
  static fromJSON(s: NumericState): NumericPart {
    const p = new NumericPart(s.sketch.k);
    p.moments = Moments.fromJSON(s.moments);
    p.min = s.min ?? Number.POSITIVE_INFINITY;
    p.max = s.max ?? Number.NEGATIVE_INFINITY;
    p.numZeros = s.numZeros;
    p.numNan = s.numNan;
    p.numPosInf = s.numPosInf;
    p.numNegInf = s.numNegInf;
    p.sketch = KllSketch.fromJSON(s.sketch);
    return p;
  }
}
