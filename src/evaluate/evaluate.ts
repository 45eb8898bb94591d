/**
 * `evaluateModel`: the model-agnostic evaluator. It streams the rows of each named split in batches, asks a
 * predict function for predictions, and computes the task's metrics overall and per slice, then checks the
 * thresholds (against a baseline evaluation for change thresholds) and records the blessing. Any model works: a
 * {@link Predictor} of a stored model, a serving bundle's predict function, or a plain function.
 *
 * @example
 * ```ts
 * const predictor = await model.predictor();
 * const evaluation = await evaluateModel({
 *   dataset, predict: (rows) => predictor.predict(rows), label: model.spec.label, splits: ["eval"],
 *   slices: [[{ feature: "island" }]], thresholds: [{ metric: "accuracy", value: { lowerBound: 0.9 } }],
 * });
 * evaluation.blessing.blessed; // true or false, with evaluation.blessing.reasons
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Dataset } from "../data/dataset/dataset.js";
import type { RowValue } from "../data/example/rows.js";
import type { LabelSpec } from "../train/feature-spec.js";
import { LabelEncoder } from "../train/labels.js";
import type { PredictFn, Prediction } from "../train/predictor.js";
import { SliceCollector } from "./collector.js";
import { binaryMetrics } from "./metrics/binary.js";
import { multiclassMetrics } from "./metrics/multiclass.js";
import { regressionMetrics } from "./metrics/regression.js";
import { checkSlices, OVERALL, slicesOf } from "./slicing.js";
import { bless } from "./thresholds.js";
import { EVALUATION_VERSION, type Evaluation, type MetricThreshold, type SliceResult, type SliceSpec, type SplitEvaluation } from "./types.js";

/** Options of {@link evaluateModel}. */
export interface EvaluateOptions {
  dataset: Dataset;
  /** Rows (every feature of the dataset, int64 as numbers) in, one prediction per row out. */
  predict: PredictFn;
  /** The label and task (e.g. the model's `spec.label`). */
  label: LabelSpec;
  /** Splits to evaluate (each must exist). */
  splits: readonly string[];
  slices?: readonly SliceSpec[];
  thresholds?: readonly MetricThreshold[];
  /** The evaluation to compare against for change thresholds (e.g. the last blessed one). */
  baseline?: { id: string | null; evaluation: Evaluation } | undefined;
  /** Binary: a prediction above it is positive (default 0.5). */
  decisionThreshold?: number;
  /** Calibration bins over [0, 1] (default 10). */
  calibrationBins?: number;
  /** Residual histogram bins (default 20). */
  residualBins?: number;
  /** Rows per predict call (default 1024). */
  batchSize?: number;
  /** A description of the model, stored with the evaluation. */
  model?: unknown;
  signal?: AbortSignal;
}

function finite(result: Omit<SliceResult, "slice" | "values">): Omit<SliceResult, "slice" | "values"> {
  const metrics: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(result.metrics)) metrics[k] = v === null || !Number.isFinite(v) ? null : v;
  return { ...result, metrics };
}

/** Evaluate predictions on the named splits. See the module documentation. */
export async function evaluateModel(o: EvaluateOptions): Promise<Evaluation> {
  const { dataset, label } = o;
  if (o.splits.length === 0) throw new KoanError("USAGE", "no split to evaluate", { hint: "name at least one split" });
  for (const split of o.splits) {
    if (!dataset.splits.includes(split)) {
      throw new KoanError("DATA_INVALID", `the split "${split}" to evaluate is not in the dataset`, { hint: `splits: ${dataset.splits.join(", ") || "none"}` });
    }
  }
  if (dataset.features[label.name] === undefined) {
    throw new KoanError("DATA_INVALID", `label "${label.name}" is not a feature of the evaluated dataset`, { hint: `features: ${Object.keys(dataset.features).join(", ")}` });
  }
  const slices = o.slices ?? [];
  checkSlices(slices, dataset.features);
  const decisionThreshold = o.decisionThreshold ?? 0.5;
  const calibrationBins = o.calibrationBins ?? 10;
  const residualBins = o.residualBins ?? 20;
  const batchSize = o.batchSize ?? 1024;
  const encoder = new LabelEncoder(label);
  let k = label.kind === "multiclass" ? label.classes?.length : 1;
  const results: SplitEvaluation[] = [];

  for (const split of o.splits) {
    let overall: SliceCollector | undefined;
    const bySlice: Map<string, { spec: number; values: Record<string, string>; c: SliceCollector }> = new Map();
    let rowIndex = 0;
    const flush = async (rows: Record<string, RowValue>[]): Promise<void> => {
      if (o.signal?.aborted) throw new KoanError("RUN_CANCELLED", "evaluation was cancelled");
      const preds = await o.predict(rows);
      if (!Array.isArray(preds) || preds.length !== rows.length) {
        throw new KoanError("OUTPUT_INVALID", `predict returned ${Array.isArray(preds) ? preds.length : typeof preds} predictions for ${rows.length} rows`);
      }
      const flat = new Float64Array(rows.length * (k ?? (preds[0] as readonly number[]).length));
      k ??= (preds[0] as readonly number[]).length;
      rows.forEach((row, i) => {
        const where = () => `row ${rowIndex + i} of split "${split}"`;
        const p = preds[i] as Prediction;
        const values = typeof p === "number" ? [p] : p;
        if (!values || values.length !== k) {
          throw new KoanError("OUTPUT_INVALID", `prediction for ${where()} has ${values?.length ?? 0} values, expected ${k} for a ${label.kind} task`);
        }
        for (let c = 0; c < (k as number); c++) flat[i * (k as number) + c] = Number(values[c]);
      });
      overall ??= new SliceCollector(k);
      rows.forEach((row, i) => {
        const y = encoder.fromRow(row[label.name], () => `row ${rowIndex + i} of split "${split}"`);
        if (label.kind === "multiclass" && y >= (k as number)) {
          throw new KoanError("DATA_INVALID", `label "${label.name}" is class ${y} in row ${rowIndex + i} of split "${split}", but predictions have ${k} classes`);
        }
        const off = i * (k as number);
        (overall as SliceCollector).add(flat, off, y);
        slices.forEach((spec, s) => {
          for (const key of slicesOf(row, spec)) {
            let entry = bySlice.get(key.key);
            if (!entry) {
              entry = { spec: s, values: { ...key.values }, c: new SliceCollector(k as number) };
              bySlice.set(key.key, entry);
            }
            entry.c.add(flat, off, y);
          }
        });
      });
      rowIndex += rows.length;
    };
    let pending: Record<string, RowValue>[] = [];
    for await (const row of dataset.rows(split, { int64: "number" })) {
      pending.push(row);
      if (pending.length >= batchSize) {
        await flush(pending);
        pending = [];
      }
    }
    if (pending.length) await flush(pending);
    if (!overall) throw new KoanError("DATA_INVALID", `the split "${split}" to evaluate is empty`);
    const width = k as number;
    const classes = label.classes ? [...label.classes] : label.kind === "binary" ? ["0", "1"] : Array.from({ length: width }, (_, c) => String(c));
    const metricsOf = (c: SliceCollector) =>
      finite(
        label.kind === "regression"
          ? regressionMetrics(c.predictions, c.labels, c.n, residualBins)
          : label.kind === "binary"
            ? binaryMetrics(c.predictions, c.labels, c.n, { classes, decisionThreshold, calibrationBins })
            : multiclassMetrics(c.predictions, c.labels, c.n, width, { classes, decisionThreshold, calibrationBins }),
      );
    const sliceResults = [...bySlice.entries()]
      .sort(([ka, a], [kb, b]) => a.spec - b.spec || (ka < kb ? -1 : ka > kb ? 1 : 0))
      .map(([key, e]) => ({ slice: key, values: e.values, ...metricsOf(e.c) }));
    results.push({ split, overall: { slice: OVERALL, values: {}, ...metricsOf(overall) }, slices: sliceResults });
  }

  const thresholds = o.thresholds ?? [];
  const evaluation: Evaluation = {
    format: "koan.evaluation",
    version: EVALUATION_VERSION,
    task: label.kind,
    label: label.name,
    classes: label.classes ? [...label.classes] : null,
    decisionThreshold,
    model: o.model ?? null,
    splits: results,
    thresholds,
    blessing: bless(results, thresholds, o.baseline),
  };
  return JSON.parse(JSON.stringify(evaluation)) as Evaluation;
}

