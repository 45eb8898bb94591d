/**
 * Packing features into one row-major float32 matrix: each input of the spec occupies a fixed range of columns,
 * in spec order. Training packs Examples; prediction packs plain rows; both give the same floats.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { RowValue } from "../data/example/rows.js";
import type { Example } from "../data/example/types.js";
import { inputWidth, type FeatureSpec } from "./feature-spec.js";

/** Where each input lives in a packed row. */
export interface FeatureLayout {
  readonly inputs: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly width: number }[];
  /** Floats per row. */
  readonly width: number;
}

/** The layout of a spec's inputs. */
export function layoutOf(spec: FeatureSpec): FeatureLayout {
  let offset = 0;
  const inputs = spec.inputs.map((i) => {
    const width = inputWidth(i);
    const entry = { name: i.name, shape: i.shape, offset, width };
    offset += width;
    return entry;
  });
  return { inputs, width: offset };
}

function wrongLength(name: string, got: number, want: number, where: () => string): never {
  if (got === 0) {
    throw new KoanError("DATA_INVALID", `feature "${name}" is missing in ${where()}; the model needs a value for every input`, { hint: "impute missing values in the transform" });
  }
  throw new KoanError("DATA_INVALID", `feature "${name}" has ${got} values in ${where()}, the feature spec says ${want}`);
}

/** Write one Example's features into `out` at row `row`. */
export function packExample(ex: Example, layout: FeatureLayout, out: Float32Array, row: number, where: () => string): void {
  const base = row * layout.width;
  for (const { name, offset, width } of layout.inputs) {
    const f = ex.get(name);
    const n = f?.values.length ?? 0;
    if (n !== width) wrongLength(name, n, width, where);
    if (f?.kind === "float") {
      if (width === 1) out[base + offset] = f.values[0] as number;
      else out.set(f.values, base + offset);
    } else if (f?.kind === "int64") {
      for (let k = 0; k < width; k++) out[base + offset + k] = Number(f.values[k]);
    } else {
      throw new KoanError("DATA_INVALID", `feature "${name}" holds strings in ${where()}; the model needs numbers`);
    }
  }
}

/** Write one plain row's features into `out` at row `row`. */
export function packRow(r: Readonly<Record<string, RowValue>>, layout: FeatureLayout, out: Float32Array, row: number, where: () => string): void {
  const base = row * layout.width;
  for (const { name, offset, width } of layout.inputs) {
    const v = r[name];
    const values = v === null || v === undefined ? [] : Array.isArray(v) ? v : [v];
    if (values.length !== width) wrongLength(name, values.length, width, where);
    for (let k = 0; k < width; k++) {
      const x = values[k];
      if (typeof x === "number") out[base + offset + k] = x;
      else if (typeof x === "bigint") out[base + offset + k] = Number(x);
      else throw new KoanError("DATA_INVALID", `feature "${name}" is not numeric in ${where()}`);
    }
  }
}
