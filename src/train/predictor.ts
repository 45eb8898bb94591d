/**
 * Predict functions over plain rows (`{ feature: value }`, numbers or fixed-length number arrays): what the
 * evaluator (and the serving bundle) call. Binary models give P(positive class), multiclass models the class
 * probabilities, regression models the value.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { RowValue } from "../data/example/rows.js";
import type { FeatureSpec } from "./feature-spec.js";
import { layoutOf, packRow, type FeatureLayout } from "./layout.js";
import { inputFeeder } from "./model-inputs.js";
import type { PlainModel } from "./plain-model.js";
import type { LayersModel, Tf } from "./tf.js";

/** One prediction: a number (binary, regression) or class probabilities (multiclass). */
export type Prediction = number | readonly number[];

/** A row of input features. */
export type FeatureRow = Readonly<Record<string, RowValue>>;

/** Any predict function: rows in, one prediction per row out. */
export type PredictFn = (rows: readonly FeatureRow[]) => Promise<readonly Prediction[]> | readonly Prediction[];

/** A loaded model's predict function. */
export interface Predictor {
  readonly spec: FeatureSpec;
  /** Values per prediction. */
  readonly outputs: number;
  /** Predict plain rows. */
  predict(rows: readonly FeatureRow[]): Promise<Prediction[]>;
  /** Predict packed rows (row-major float32, the layout of the spec): `rows × outputs` values. */
  predictPacked(x: Float32Array, rows: number): Promise<Float32Array | Float64Array>;
  /** Release the model (TF.js tensors). */
  dispose(): void;
}

function split(values: ArrayLike<number>, rows: number, outputs: number): Prediction[] {
  if (values.length !== rows * outputs) throw new KoanError("OUTPUT_INVALID", `the model returned ${values.length} values for ${rows} rows, expected ${rows * outputs}`);
  const out: Prediction[] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = outputs === 1 ? Number(values[r]) : Array.from({ length: outputs }, (_, k) => Number(values[r * outputs + k]));
  return out;
}

function packRows(rows: readonly FeatureRow[], layout: FeatureLayout): Float32Array {
  const x = new Float32Array(rows.length * layout.width);
  rows.forEach((r, i) => packRow(r, layout, x, i, () => `row ${i} given to predict`));
  return x;
}

/** A predictor over a loaded TF.js model. */
export function tfjsPredictor(tf: Tf, model: LayersModel, spec: FeatureSpec, outputs: number): Predictor {
  const layout = layoutOf(spec);
  const feed = inputFeeder(model, layout);
  const predictPacked = async (x: Float32Array, rows: number): Promise<Float32Array> => {
    if (rows === 0) return new Float32Array(0);
    const out = tf.tidy(() => model.predict(feed(tf, x, rows)) as ReturnType<typeof tf.tensor>);
    try {
      return (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
  };
  return {
    spec,
    outputs,
    predictPacked,
    async predict(rows) {
      return split(await predictPacked(packRows(rows, layout), rows.length), rows.length, outputs);
    },
    dispose: () => model.dispose(),
  };
}

/** A predictor over a loaded plain model. */
export function plainPredictor(model: PlainModel, spec: FeatureSpec, outputs: number): Predictor {
  const layout = layoutOf(spec);
  const predictPacked = async (x: Float32Array, rows: number): Promise<Float32Array | Float64Array> => {
    const values = await model.predict(x, rows);
    if (values.length !== rows * outputs) throw new KoanError("OUTPUT_INVALID", `the plain model's predict returned ${values.length} values for ${rows} rows, expected ${rows * outputs}`);
    return values instanceof Float32Array || values instanceof Float64Array ? values : Float64Array.from(values);
  };
  return {
    spec,
    outputs,
    predictPacked,
    async predict(rows) {
      return split(await predictPacked(packRows(rows, layout), rows.length), rows.length, outputs);
    },
    dispose: () => undefined,
  };
}
