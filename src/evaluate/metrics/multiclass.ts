/**
 * Multiclass metrics from class probabilities (`n × k`, row-major) and class-index labels: accuracy of the top
 * class (ties go to the lower index), the confusion matrix, per-class one-vs-rest precision/recall/F1/AUCs with
 * their macro averages, log loss (probabilities normalised to sum 1 and clipped, as Keras does), and calibration
 * bins of the top-class confidence against its correctness.
 * @module
 */
import type { ClassMetrics, SliceResult } from "../types.js";
import { prAuc, rocAuc } from "./auc.js";
import { calibrationBins, f1, negLog, ratio } from "./basic.js";
import type { ClassificationOptions } from "./binary.js";

/** The metrics of one slice. */
export function multiclassMetrics(probs: ArrayLike<number>, labels: ArrayLike<number>, n: number, k: number, o: ClassificationOptions): Omit<SliceResult, "slice" | "values"> {
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const confidence = new Float64Array(n);
  const correct = new Float64Array(n);
  let loss = 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i] as number;
    let best = 0;
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const p = probs[i * k + c] as number;
      sum += p;
      if (p > (probs[i * k + best] as number)) best = c;
    }
    (matrix[y] as number[])[best]++;
    if (best === y) hits++;
    confidence[i] = probs[i * k + best] as number;
    correct[i] = best === y ? 1 : 0;
    loss += negLog(sum > 0 ? (probs[i * k + y] as number) / sum : 0);
  }
  const perClass: Record<string, ClassMetrics> = {};
  const column = new Float64Array(n);
  const isClass = new Uint8Array(n);
  const mean = (xs: (number | null)[]): number | null => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const precisions: number[] = [];
  const recalls: number[] = [];
  const f1s: number[] = [];
  const aucs: (number | null)[] = [];
  const prs: (number | null)[] = [];
  for (let c = 0; c < k; c++) {
    const tp = (matrix[c] as number[])[c] as number;
    const support = (matrix[c] as number[]).reduce((a, b) => a + b, 0);
    const predicted = matrix.reduce((a, row) => a + (row[c] as number), 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    for (let i = 0; i < n; i++) {
      column[i] = probs[i * k + c] as number;
      isClass[i] = labels[i] === c ? 1 : 0;
    }
    const auc = rocAuc(column, isClass, n);
    const aucPr = prAuc(column, isClass, n);
    perClass[o.classes[c] ?? String(c)] = { support, precision, recall, f1: f1(precision, recall), auc, auc_pr: aucPr };
    precisions.push(precision);
    recalls.push(recall);
    f1s.push(f1(precision, recall));
    aucs.push(auc);
    prs.push(aucPr);
  }
  return {
    exampleCount: n,
    metrics: {
      example_count: n,
      accuracy: ratio(hits, n),
      macro_precision: mean(precisions),
      macro_recall: mean(recalls),
      macro_f1: mean(f1s),
      auc: mean(aucs),
      auc_pr: mean(prs),
      log_loss: n ? loss / n : null,
    },
    confusionMatrix: { labels: Array.from({ length: k }, (_, c) => o.classes[c] ?? String(c)), matrix },
    perClass,
    calibration: calibrationBins(confidence, correct, o.calibrationBins, n),
  };
}
