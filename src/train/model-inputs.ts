/**
 * Matching a TF.js model's inputs to the packed feature rows: a model with one input takes every feature,
 * concatenated in spec order (its shape must hold exactly that many values); a model with several inputs takes
 * them by name (each input named after a feature of the spec, of that feature's shape).
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { FeatureLayout } from "./layout.js";
import type { LayersModel, Tensor, Tf } from "./tf.js";

/** Turns `n` packed rows into the model's input tensors. */
export type InputFeeder = (tf: Tf, x: Float32Array, n: number) => Tensor[];

const product = (shape: readonly (number | null)[]): number => shape.reduce<number>((a, b) => a * (b ?? Number.NaN), 1);
const show = (shape: readonly (number | null)[]): string => `[${shape.map((d) => (d === null ? "null" : d)).join(", ")}]`;

/** Check the model's inputs against the layout and make the feeder (errors name the shapes). */
export function inputFeeder(model: LayersModel, layout: FeatureLayout): InputFeeder {
  const inputs = model.inputs;
  const features = layout.inputs.map((i) => `${i.name} ${show(i.shape)}`).join(", ");
  if (inputs.length === 1) {
    const shape = (inputs[0] as { shape: (number | null)[] }).shape.slice(1);
    if (product(shape) !== layout.width) {
      throw new KoanError("USAGE", `the model's input shape ${show([null, ...shape])} does not match the features: they give ${layout.width} values per row (${features})`, {
        hint: `build the model with inputShape: [${layout.width}], or one named input per feature`,
      });
    }
    const dims = shape as number[];
    return (tf, x, n) => [tf.tensor(x.length === n * layout.width ? x : x.subarray(0, n * layout.width), [n, ...dims], "float32")];
  }
  const names = model.inputNames;
  const parts = inputs.map((input, k) => {
    const name = names[k] as string;
    const entry = layout.inputs.find((i) => i.name === name);
    if (!entry) throw new KoanError("USAGE", `the model's input "${name}" is not a feature of the spec`, { hint: `name each input after a feature: ${features}` });
    const shape = (input as { shape: (number | null)[] }).shape.slice(1);
    if (product(shape) !== entry.width) {
      throw new KoanError("USAGE", `the model's input "${name}" has shape ${show([null, ...shape])}, but feature "${name}" has ${entry.width} values per row`);
    }
    return { offset: entry.offset, width: entry.width, dims: shape as number[] };
  });
  const w = layout.width;
  return (tf, x, n) =>
    parts.map(({ offset, width, dims }) => {
      const out = new Float32Array(n * width);
      for (let r = 0; r < n; r++) out.set(x.subarray(r * w + offset, r * w + offset + width), r * width);
      return tf.tensor(out, [n, ...dims], "float32");
    });
}

/** Check that the model has one output of `units` values per row. */
export function checkOutput(model: LayersModel, units: number, what: string): void {
  if (model.outputs.length !== 1) throw new KoanError("USAGE", `the model has ${model.outputs.length} outputs; Koan trains models with one output`);
  const shape = (model.outputs[0] as { shape: (number | null)[] }).shape;
  if (shape.length !== 2 || shape[1] !== units) {
    throw new KoanError("USAGE", `the model's output shape ${show(shape)} does not fit ${what}: expected [null, ${units}]`);
  }
}
