/**
 * Regression metrics: MAE, MSE, RMSE, R² (1 − SS_res / SS_tot; null for a constant label), mean label and
 * prediction, and a histogram of residuals (label − prediction).
 * @module
 */
import type { SliceResult } from "../types.js";
import { histogram } from "./basic.js";

/** The metrics of one slice. */
export function regressionMetrics(predictions: ArrayLike<number>, labels: ArrayLike<number>, n: number, residualBins: number): Omit<SliceResult, "slice" | "values"> {
  let abs = 0;
  let sq = 0;
  let sumY = 0;
  let sumP = 0;
  const residuals = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = (labels[i] as number) - (predictions[i] as number);
    residuals[i] = r;
    abs += Math.abs(r);
    sq += r * r;
    sumY += labels[i] as number;
    sumP += predictions[i] as number;
  }
  const meanY = n ? sumY / n : 0;
  let tot = 0;
  for (let i = 0; i < n; i++) tot += ((labels[i] as number) - meanY) ** 2;
  const mse = n ? sq / n : null;
  return {
    exampleCount: n,
    metrics: {
      example_count: n,
      mae: n ? abs / n : null,
      mse,
      rmse: mse === null ? null : Math.sqrt(mse),
      r2: n && tot > 0 ? 1 - sq / tot : null,
      mean_label: n ? meanY : null,
      mean_prediction: n ? sumP / n : null,
    },
    residualHistogram: histogram(residuals, residualBins, n),
  };
}
