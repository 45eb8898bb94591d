/**
 * Collecting (prediction, label) pairs per slice in growable float64 arrays — exact metrics (AUCs included) need
 * every pair: about 8·(outputs + 1) bytes per row and slice.
 * @module
 */

/** The pairs of one slice. */
export class SliceCollector {
  predictions: Float64Array;
  labels: Float64Array;
  n = 0;

  constructor(readonly width: number) {
    this.predictions = new Float64Array(64 * width);
    this.labels = new Float64Array(64);
  }

  /** Append one row: `width` prediction values starting at `offset` of `values`, and its label. */
  add(values: ArrayLike<number>, offset: number, label: number): void {
    if (this.n === this.labels.length) {
      const p = new Float64Array(this.predictions.length * 2);
      p.set(this.predictions);
      this.predictions = p;
      const l = new Float64Array(this.labels.length * 2);
      l.set(this.labels);
      this.labels = l;
    }
    for (let k = 0; k < this.width; k++) this.predictions[this.n * this.width + k] = values[offset + k] as number;
    this.labels[this.n++] = label;
  }
}
