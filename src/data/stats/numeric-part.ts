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

  add(x: number): void {
    if (Number.isNaN(x)) {
      this.numNan++;
    } else if (x === Number.POSITIVE_INFINITY) {
      this.numPosInf++;
    } else if (x === Number.NEGATIVE_INFINITY) {
      this.numNegInf++;
    } else {
      if (x === 0) this.numZeros++;
      if (x < this.min) this.min = x;
      if (x > this.max) this.max = x;
      this.moments.add(x);
      this.sketch.add(x);
    }
  }

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

