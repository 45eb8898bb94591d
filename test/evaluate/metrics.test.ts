import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/core/rng.js";
import { prAuc, rocAuc } from "../../src/evaluate/metrics/auc.js";
import { calibrationBins, histogram, negLog } from "../../src/evaluate/metrics/basic.js";
import { binaryMetrics } from "../../src/evaluate/metrics/binary.js";
import { multiclassMetrics } from "../../src/evaluate/metrics/multiclass.js";
import { regressionMetrics } from "../../src/evaluate/metrics/regression.js";
import { formatValue, slicesOf } from "../../src/evaluate/slicing.js";

const close = (a: number | null | undefined, b: number, eps = 1e-12) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) <= eps, `${a} ≠ ${b}`);

test("ROC AUC: ties count half, one class gives null, equals the Mann–Whitney statistic", () => {
  assert.equal(rocAuc([0.8, 0.5, 0.5, 0.2], [1, 1, 0, 0]), 0.875);
  assert.equal(rocAuc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
  assert.equal(rocAuc([0.9, 0.1], [1, 0]), 1);
  assert.equal(rocAuc([0.9, 0.1], [0, 1]), 0);
  assert.equal(rocAuc([0.9, 0.1], [1, 1]), null);
  const rng = createRng(1);
  for (let trial = 0; trial < 20; trial++) {
    const n = 50 + trial;
    const scores = Array.from({ length: n }, () => Math.round(rng.next() * 10) / 10); // many ties
    const labels = Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (labels[i] === 1 && labels[j] === 0) {
      pairs++;
      wins += (scores[i] as number) > (scores[j] as number) ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
    close(rocAuc(scores, labels), wins / pairs);
  }
});

test("PR AUC: Keras' interpolation between operating points, by hand", () => {
  close(prAuc([0.9, 0.8, 0.7], [1, 0, 1]), (2 - Math.log(1.5)) / 2);
  assert.equal(prAuc([0.9, 0.8, 0.1], [1, 1, 0]), 1);
  assert.equal(prAuc([0.5, 0.5], [1, 0]), 0.5);
  assert.equal(prAuc([0.5, 0.4], [0, 0]), null);
});

test("binary metrics: confusion at the threshold (strictly above is positive), precision, recall, F1, AUC, log loss, calibration", () => {
  const scores = [0.9, 0.6, 0.5, 0.4, 0.2];
  const labels = [1, 0, 1, 0, 0];
  const r = binaryMetrics(scores, labels, 5, { classes: ["no", "yes"], decisionThreshold: 0.5, calibrationBins: 2 });
  assert.deepEqual(r.confusionMatrix, { labels: ["no", "yes"], matrix: [[2, 1], [1, 1]] });
  const m = r.metrics;
  assert.equal(m.example_count, 5);
  close(m.accuracy, 0.6);
  close(m.precision, 0.5);
  close(m.recall, 0.5);
  close(m.f1, 0.5);
  close(m.auc, 5 / 6);
  close(m.mean_label, 0.4);
  close(m.mean_prediction, 0.52);
  close(m.calibration, 1.3);
  close(m.log_loss, -(Math.log(0.9) + Math.log(0.4) + Math.log(0.5) + Math.log(0.6) + Math.log(0.8)) / 5);
  // Bins are [lower, upper): 0.5 falls in the upper bin.
  assert.deepEqual(r.calibration?.map((b) => b.count), [2, 3]);
  close(r.calibration?.[0]?.meanPrediction, 0.3);
  close(r.calibration?.[0]?.meanLabel, 0);
  close(r.calibration?.[1]?.meanPrediction, 2 / 3);
  close(r.calibration?.[1]?.meanLabel, 2 / 3);
  // Log loss clips probabilities to [1e-7, 1 − 1e-7]: certain and wrong costs −ln(1e-7), not Infinity.
  const wrong = binaryMetrics([1, 0], [0, 1], 2, { classes: ["0", "1"], decisionThreshold: 0.5, calibrationBins: 10 });
  close(wrong.metrics.log_loss, -Math.log(1e-7), 1e-9);
  close(negLog(0), 16.11809565095832, 1e-9);
  // No positive predictions: precision is 0 (not NaN), as Keras and TFMA report.
  assert.equal(binaryMetrics([0.1, 0.2], [1, 0], 2, { classes: ["0", "1"], decisionThreshold: 0.5, calibrationBins: 1 }).metrics.precision, 0);
});

test("calibration bins and histograms, by hand", () => {
  const two = calibrationBins([0.05, 0.15, 0.95, 1], [0, 1, 1, 1], 2);
  assert.deepEqual(two.map((b) => [b.lower, b.upper, b.count]), [[0, 0.5, 2], [0.5, 1, 2]]);
  close(two[0]?.meanPrediction, 0.1);
  close(two[0]?.meanLabel, 0.5);
  close(two[1]?.meanPrediction, 0.975);
  close(two[1]?.meanLabel, 1);
  const ten = calibrationBins([0.05, 0.15, 0.95, 1], [0, 1, 1, 1], 10);
  assert.deepEqual(ten.map((b) => b.count), [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
  assert.equal(ten[2]?.meanPrediction, null);
  assert.deepEqual(histogram([0.5, -0.5, 0, -1], 3).map((b) => [b.lower, b.upper, b.count]), [[-1, -0.5, 1], [-0.5, 0, 1], [0, 0.5, 2]]);
  assert.deepEqual(histogram([2, 2], 5), [{ lower: 2, upper: 2, count: 2 }]);
});

test("multiclass metrics: top-class accuracy (ties to the lower index), confusion, per-class and macro figures, normalised log loss", () => {
  const probs = [0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.2, 0.2, 0.6, 0.4, 0.4, 0.2];
  const labels = [0, 1, 2, 1];
  const r = multiclassMetrics(probs, labels, 4, 3, { classes: ["a", "b", "c"], decisionThreshold: 0.5, calibrationBins: 10 });
  assert.deepEqual(r.confusionMatrix?.matrix, [[1, 0, 0], [1, 0, 1], [0, 0, 1]]);
  close(r.metrics.accuracy, 0.5);
  close(r.perClass?.a?.precision, 0.5);
  close(r.perClass?.a?.recall, 1);
  close(r.perClass?.a?.f1, 2 / 3);
  assert.equal(r.perClass?.b?.f1, 0);
  assert.equal(r.perClass?.c?.support, 1);
  close(r.metrics.macro_f1, (2 / 3 + 0 + 2 / 3) / 3);
  close(r.metrics.log_loss, -(Math.log(0.7) + Math.log(0.3) + Math.log(0.6) + Math.log(0.4)) / 4);
  // Class "a" one-vs-rest: scores 0.7 (a), 0.1, 0.2, 0.4 → perfectly ranked.
  assert.equal(r.perClass?.a?.auc, 1);
  // Unnormalised scores are normalised before the log: [2, 1, 1] for class 0 → p = 0.5.
  close(multiclassMetrics([2, 1, 1], [0], 1, 3, { classes: [], decisionThreshold: 0.5, calibrationBins: 1 }).metrics.log_loss, Math.log(2));
});

test("regression metrics: MAE, MSE, RMSE, R² and the residual histogram, by hand", () => {
  const r = regressionMetrics([2.5, 0, 2, 8], [3, -0.5, 2, 7], 4, 3);
  close(r.metrics.mae, 0.5);
  close(r.metrics.mse, 0.375);
  close(r.metrics.rmse, Math.sqrt(0.375));
  close(r.metrics.r2, 1 - 1.5 / 29.1875);
  close(r.metrics.mean_label, 2.875);
  assert.deepEqual(r.residualHistogram?.map((b) => b.count), [1, 1, 2]);
  assert.equal(regressionMetrics([1, 2], [3, 3], 2, 5).metrics.r2, null, "R² of a constant label is undefined");
});

test("slice keys: by value, crossed, bucketed, multi-valued and missing", () => {
  const row = { island: "Biscoe", sex: "MALE", mass: 4.2, tags: ["a", "b"], none: null };
  assert.deepEqual(slicesOf(row, [{ feature: "island" }]), [{ key: "island:Biscoe", values: { island: "Biscoe" } }]);
  assert.deepEqual(slicesOf(row, [{ feature: "island" }, { feature: "sex" }]).map((s) => s.key), ["island_X_sex:Biscoe_X_MALE"]);
  assert.deepEqual(slicesOf(row, [{ feature: "mass", boundaries: [3.5, 4.5] }]).map((s) => s.key), ["mass:[3.5, 4.5)"]);
  assert.deepEqual(slicesOf({ mass: 3 }, [{ feature: "mass", boundaries: [3.5] }]).map((s) => s.key), ["mass:[-inf, 3.5)"]);
  assert.deepEqual(slicesOf({ mass: 3.5 }, [{ feature: "mass", boundaries: [3.5] }]).map((s) => s.key), ["mass:[3.5, inf)"]);
  assert.deepEqual(slicesOf(row, [{ feature: "tags" }, { feature: "sex" }]).map((s) => s.key), ["tags_X_sex:a_X_MALE", "tags_X_sex:b_X_MALE"]);
  assert.deepEqual(slicesOf(row, [{ feature: "none" }]), []);
  assert.equal(formatValue(Math.fround(0.3)), "0.3");
  assert.equal(formatValue(2), "2");
});
