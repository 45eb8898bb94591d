/**
 * Running count, mean and sum of squared deviations (Welford), mergeable with Chan et al.'s parallel formula:
 * numerically stable for large values such as census tract ids (~1.7e10) where sums of squares lose precision.
 * @module
 */

/** JSON form of {@link Moments}. */
export interface MomentsState {
  readonly count: number;
  readonly mean: number;
  readonly m2: number;
}

/**
 * Mean and population variance of a stream of finite numbers.
 * @example
 * const m = new Moments();
 * [1, 2, 3, 4].forEach((x) => m.add(x));
 * m.mean; // 2.5
 * m.variance; // 1.25
 */
export class Moments {
  count = 0;
  mean = 0;
  m2 = 0;

  /** Add one finite value. */
  add(x: number): void {
    this.count++;
    const d = x - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (x - this.mean);
  }

  /**
   * Add the finite values `values[start, end)` in order: bit for bit the state of one {@link add} per value (the
   * same operations, on locals instead of fields).
   */
  addMany(values: ArrayLike<number>, start = 0, end: number = values.length): void {
    let count = this.count;
    let mean = this.mean;
    let m2 = this.m2;
    for (let i = start; i < end; i++) {
      const x = values[i] as number;
      count++;
      const d = x - mean;
      mean += d / count;
      m2 += d * (x - mean);
    }
    this.count = count;
    this.mean = mean;
    this.m2 = m2;
  }

  /** Fold another accumulator into this one. */
  merge(o: MomentsState): void {
    if (o.count === 0) return;
    if (this.count === 0) {
      this.count = o.count;
      this.mean = o.mean;
      this.m2 = o.m2;
      return;
    }
    const n = this.count + o.count;
    const d = o.mean - this.mean;
    this.mean += (d * o.count) / n;
    this.m2 += o.m2 + (d * d * this.count * o.count) / n;
    this.count = n;
  }

  /** Population variance (0 when empty). */
  get variance(): number {
    return this.count === 0 ? 0 : Math.max(0, this.m2 / this.count);
  }

  /** Plain-data state. */
  toJSON(): MomentsState {
    return { count: this.count, mean: this.mean, m2: this.m2 };
  }

  /** Rebuild from {@link Moments.toJSON} output. */
  static fromJSON(s: MomentsState): Moments {
    const m = new Moments();
    m.count = s.count;
    m.mean = s.mean;
    m.m2 = s.m2;
    return m;
  }
}
