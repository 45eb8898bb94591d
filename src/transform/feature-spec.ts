/**
 * What a model needs to know about a fitted transform: its inputs (names, dtypes, shapes, positions in the dense
 * vector), the label encoding, and the raw input signature; and dense matrices of a transformed dataset.
 *
 * @example
 * ```ts
 * const spec = featureSpec(transform);
 * // { inputs: [{ name: "bill_mm", dtype: "float32", shape: [], offset: 0, width: 1 }, ...], width: 12,
 * //   label: { name: "species", dtype: "int64", task: "classification", classes: ["Adelie", "Chinstrap", "Gentoo"] }, ... }
 * for await (const { x, y, rows } of denseBatches(transformed, transform, "train", 256)) {
 *   // x: Float32Array(rows * spec.width), y: Int32Array(rows)
 * }
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Dataset } from "../data/dataset/dataset.js";
import type { Example } from "../data/example/types.js";
import type { FittedTransform, OutputDtype, RawInput } from "./format.js";
import { isCategorical } from "./ops.js";

/** One model input. */
export interface ModelInput {
  readonly name: string;
  readonly dtype: OutputDtype;
  /** `[]` scalar, `[n]` vector. */
  readonly shape: readonly number[];
  /** Position and width in the dense float32 vector. */
  readonly offset: number;
  readonly width: number;
  /** For int64 index inputs: number of categories (embedding size). */
  readonly cardinality?: number;
  /** For vocabulary outputs: the known values in index order (out-of-vocabulary buckets follow). */
  readonly vocabulary?: readonly string[];
}

/** The label as the model sees it. */
export interface LabelSpec {
  readonly name: string;
  /** int64 class index (classification) or float32 value (regression). */
  readonly dtype: OutputDtype;
  readonly task: "classification" | "regression";
  readonly classes?: readonly string[];
}

/** Inputs, label and raw signature of a fitted transform. */
export interface FeatureSpec {
  readonly inputs: readonly ModelInput[];
  /** Width of the dense float32 vector of one example. */
  readonly width: number;
  readonly label: LabelSpec | null;
  /** The raw features a serving request carries (the input signature). */
  readonly raw: readonly RawInput[];
}

/** The feature spec of a fitted transform. */
export function featureSpec(transform: FittedTransform): FeatureSpec {
  const inputs: ModelInput[] = [];
  let offset = 0;
  const add = (s: { name: string; dtype: OutputDtype; shape: readonly number[]; cardinality?: number }, vocabulary?: readonly string[]): void => {
    const width = s.shape[0] ?? 1;
    inputs.push({ name: s.name, dtype: s.dtype, shape: [...s.shape], offset, width, ...(s.cardinality !== undefined ? { cardinality: s.cardinality } : {}), ...(vocabulary ? { vocabulary } : {}) });
    offset += width;
  };
  for (const f of transform.features) {
    const last = f.ops[f.ops.length - 1];
    add(f, last && isCategorical(last) && last.type === "vocabulary" ? last.vocabulary : undefined);
  }
  for (const c of transform.crosses) add(c);
  for (const c of transform.custom) add(c);
  const l = transform.label;
  const label: LabelSpec | null = l
    ? { name: l.name, dtype: l.task === "classification" ? "int64" : "float32", task: l.task, ...(l.classes ? { classes: l.classes } : {}) }
    : null;
  return { inputs, width: offset, label, raw: transform.inputs };
}

/** A dense batch: `rows` examples, `x` row-major `rows × width`, `y` the labels (null without a label). */
export interface DenseBatch {
  readonly rows: number;
  readonly width: number;
  readonly x: Float32Array;
  /** Class indices (-1: unknown class or missing) or regression targets (NaN: missing). */
  readonly y: Int32Array | Float32Array | null;
}

function fillRow(ex: Example, spec: FeatureSpec, x: Float32Array, base: number, index: number, split: string): void {
  for (const input of spec.inputs) {
    const f = ex.get(input.name);
    if (!f || f.values.length !== input.width || f.kind === "bytes") {
      throw new KoanError("DATA_INVALID", `row ${index} of split "${split}": feature "${input.name}" is not a transformed ${input.dtype} of width ${input.width}`, {
        hint: "pass the dataset produced by preprocess (or transformDataset) with the transform it was made with",
      });
    }
    if (f.kind === "float") x.set(f.values, base + input.offset);
    else x[base + input.offset] = Number(f.values[0]);
  }
}

/**
 * Dense batches of a transformed dataset's split (streamed): feature matrices plus labels, ready for a model.
 * @param batchSize rows per batch (the last one may be smaller)
 */
export async function* denseBatches(dataset: Dataset, transform: FittedTransform, split: string, batchSize = 1024): AsyncGenerator<DenseBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new KoanError("USAGE", `batch size must be a whole number ≥ 1, got ${batchSize}`);
  const spec = featureSpec(transform);
  const width = spec.width;
  const classification = spec.label?.task === "classification";
  let x = new Float32Array(batchSize * width);
  let y: Int32Array | Float32Array | null = spec.label ? (classification ? new Int32Array(batchSize) : new Float32Array(batchSize)) : null;
  let n = 0;
  let index = 0;
  const flush = (rows: number): DenseBatch => ({ rows, width, x: x.subarray(0, rows * width), y: y ? y.subarray(0, rows) : null });
  for await (const ex of dataset.examples(split)) {
    fillRow(ex, spec, x, n * width, index, split);
    if (y && spec.label) {
      const f = ex.get(spec.label.name);
      const v = f && f.values.length ? Number(f.values[0]) : classification ? -1 : Number.NaN;
      y[n] = v;
    }
    n++;
    index++;
    if (n === batchSize) {
      yield flush(n);
      x = new Float32Array(batchSize * width);
      y = y ? (classification ? new Int32Array(batchSize) : new Float32Array(batchSize)) : null;
      n = 0;
    }
  }
  if (n > 0) yield flush(n);
}

/** A whole split as one dense matrix (for small data; use {@link denseBatches} to stream). */
export async function denseMatrix(dataset: Dataset, transform: FittedTransform, split: string): Promise<DenseBatch> {
  const rows = dataset.rowCount(split);
  const all = await denseBatches(dataset, transform, split, Math.max(1, rows)).next();
  if (all.done) {
    const spec = featureSpec(transform);
    return { rows: 0, width: spec.width, x: new Float32Array(0), y: spec.label ? (spec.label.task === "classification" ? new Int32Array(0) : new Float32Array(0)) : null };
  }
  return all.value;
}
