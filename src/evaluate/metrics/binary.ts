/**
 * Binary classification metrics from P(positive) and 0/1 labels: the confusion matrix at the decision threshold
 * (a prediction strictly above it is positive, as in Keras/TFMA), accuracy, precision, recall, F1, ROC and PR
 * AUC, log loss, mean label/prediction, calibration (mean prediction / mean label) and calibration bins.
 * @module
 */
import type { SliceResult } from "../types.js";
import { prAuc, rocAuc } from "./auc.js";
import { calibrationBins, f1, negLog, ratio } from "./basic.js";

/** Options of the classification metrics. */
export interface ClassificationOptions {
  /** Class names by index (binary: negative, positive). */
  readonly classes: readonly string[];
  readonly decisionThreshold: number;
  readonly calibrationBins: number;
}

/** The metrics of one slice. */
export function binaryMetrics(scores: ArrayLike<number>, labels: ArrayLike<number>, n: number, o: ClassificationOptions): Omit<SliceResult, "slice" | "values"> {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let loss = 0;
  let sumLabel = 0;
  let sumPred = 0;
  for (let i = 0; i < n; i++) {
    const p = scores[i] as number;
    const y = labels[i] as number;
    const positive = p > o.decisionThreshold;
    if (y === 1) positive ? tp++ : fn++;
    else positive ? fp++ : tn++;
    loss += y === 1 ? negLog(p) : negLog(1 - p);
    sumLabel += y;
    sumPred += p;
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  const meanLabel = n ? sumLabel / n : null;
  const meanPrediction = n ? sumPred / n : null;
  return {
    exampleCount: n,
    metrics: {
      example_count: n,
      accuracy: ratio(tp + tn, n),
      precision,
      recall,
      f1: f1(precision, recall),
      auc: rocAuc(scores, labels, n),
      auc_pr: prAuc(scores, labels, n),
      log_loss: n ? loss / n : null,
      mean_label: meanLabel,
      mean_prediction: meanPrediction,
      calibration: meanLabel ? (meanPrediction as number) / meanLabel : null,
    },
    confusionMatrix: { labels: [...o.classes], matrix: [[tn, fp], [fn, tp]] },
    calibration: calibrationBins(scores, labels, o.calibrationBins, n),
  };
}
