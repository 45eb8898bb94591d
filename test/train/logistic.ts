/** A tiny plain-TypeScript logistic regression (binary), trained by batch gradient descent: a model-agnostic trainer test. */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PlainModel, PlainTrainingData } from "../../src/train/plain-model.js";

export class LogisticRegression implements PlainModel {
  w: number[] = [];
  b = 0;

  constructor(readonly l2 = 0) {}

  async fit(data: PlainTrainingData): Promise<{ history: Record<string, number[]> }> {
    const d = data.layout.width;
    // Seeded initial weights: the same seed gives the same model.
    this.w = Array.from({ length: d }, () => (data.rng.next() - 0.5) * 0.01);
    this.b = 0;
    const history: Record<string, number[]> = { loss: [] };
    for (let epoch = 0; epoch < data.epochs; epoch++) {
      let loss = 0;
      for await (const { x, y, n } of data.train.batches(data.batchSize)) {
        const gw = new Array<number>(d).fill(0);
        let gb = 0;
        for (let i = 0; i < n; i++) {
          let z = this.b;
          for (let j = 0; j < d; j++) z += (this.w[j] as number) * (x[i * d + j] as number);
          const p = 1 / (1 + Math.exp(-z));
          const err = p - (y[i] as number);
          loss += -((y[i] as number) * Math.log(Math.max(p, 1e-7)) + (1 - (y[i] as number)) * Math.log(Math.max(1 - p, 1e-7)));
          for (let j = 0; j < d; j++) gw[j] = (gw[j] as number) + err * (x[i * d + j] as number);
          gb += err;
        }
        for (let j = 0; j < d; j++) this.w[j] = (this.w[j] as number) - data.learningRate * ((gw[j] as number) / n + this.l2 * (this.w[j] as number));
        this.b -= (data.learningRate * gb) / n;
      }
      data.metric("loss", loss / data.train.rows, epoch);
      (history.loss as number[]).push(loss / data.train.rows);
    }
    return { history };
  }

  predict(x: Float32Array, rows: number): Float64Array {
    const d = this.w.length;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let z = this.b;
      for (let j = 0; j < d; j++) z += (this.w[j] as number) * (x[i * d + j] as number);
      out[i] = 1 / (1 + Math.exp(-z));
    }
    return out;
  }

  async save(dir: string): Promise<void> {
    await writeFile(join(dir, "weights.json"), JSON.stringify({ w: this.w, b: this.b }));
  }

  async load(dir: string): Promise<void> {
    const s = JSON.parse(await readFile(join(dir, "weights.json"), "utf8")) as { w: number[]; b: number };
    this.w = s.w;
    this.b = s.b;
  }
}
