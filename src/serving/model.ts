/**
 * The servable model: the one small interface the model server, the deployers and batch inference are built
 * against. A servable takes raw feature rows (the transform is inside it) and answers one row of named outputs
 * per input row. Serving bundles (fitted transform + TF.js model + signature) become servables through
 * {@link servableFromBundle}, the single adapter point between training and serving.
 *
 * @example
 * ```ts
 * import type { ServableModel } from "koan";
 * const double: ServableModel = {
 *   name: "double", version: "1",
 *   signature: {
 *     inputs: [{ name: "x", datatype: "FP64", shape: [-1] }],
 *     outputs: [{ name: "y", datatype: "FP64", shape: [-1] }],
 *   },
 *   predict: async (rows) => rows.map((r) => ({ y: 2 * (r.x as number) })),
 * };
 * ```
 * @module
 */
import { KoanError } from "../core/errors.js";

/** Tensor element types of the Open Inference Protocol that Koan servables declare. */
export type Datatype = "BOOL" | "INT32" | "INT64" | "FP32" | "FP64" | "BYTES";

/** Every datatype a request may carry (the protocol's full list; values are coerced to the signature's type). */
export type WireDatatype = Datatype | "UINT8" | "UINT16" | "UINT32" | "UINT64" | "INT8" | "INT16" | "FP16";

/** One named input or output of a servable. */
export interface TensorSpec {
  /** The feature (input) or output name. */
  readonly name: string;
  readonly datatype: Datatype;
  /**
   * Shape including the batch dimension, which is `-1`: `[-1]` is one scalar per row, `[-1, 3]` a vector of
   * three per row. Other `-1` dimensions are variable.
   */
  readonly shape: readonly number[];
  /** Inputs only: may be left out of a request (rows then get `null`). */
  readonly optional?: boolean;
}

/** What a servable takes and answers. */
export interface Signature {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

/** A value of one feature of one row: a scalar, raw bytes, a (nested) list, or missing. */
export type FeatureValue = number | bigint | string | boolean | Uint8Array | null | readonly FeatureValue[];

/** A model the server can serve: raw rows in, one row of named outputs per input row out. */
export interface ServableModel {
  readonly name: string;
  readonly version: string;
  /** The framework, reported in model metadata (default `koan`). */
  readonly platform?: string;
  readonly signature: Signature;
  /**
   * Predict a batch. Rows hold the signature's inputs (per-row shape: a scalar for `[-1]`, a list for
   * `[-1, n]`); the answer holds one row per input row, in order, with every output of the signature.
   */
  predict(rows: readonly Record<string, FeatureValue>[]): Promise<Record<string, FeatureValue>[]>;
}

const NAME = /^[A-Za-z0-9_.-]+$/;
const DATATYPES = new Set<string>(["BOOL", "INT32", "INT64", "FP32", "FP64", "BYTES"]);

/** Check a servable's name, version and signature; throws `CONFIG_INVALID` naming the bad field. */
export function checkServable(model: ServableModel): ServableModel {
  const bad = (what: string): never => {
    throw new KoanError("CONFIG_INVALID", `servable "${String(model?.name)}": ${what}`, { hint: "see docs/serving.md, section Servables" });
  };
  if (typeof model !== "object" || model === null) bad("not an object");
  if (typeof model.name !== "string" || !NAME.test(model.name)) bad(`name must match ${NAME}`);
  if (typeof model.version !== "string" || !NAME.test(model.version)) bad(`version must match ${NAME}`);
  if (typeof model.predict !== "function") bad("predict is not a function");
  for (const side of ["inputs", "outputs"] as const) {
    const specs = model.signature?.[side];
    if (!Array.isArray(specs) || specs.length === 0) bad(`signature.${side} must be a non-empty list`);
    const seen = new Set<string>();
    for (const t of specs) {
      if (typeof t.name !== "string" || t.name === "") bad(`signature.${side}: a tensor has no name`);
      if (seen.has(t.name)) bad(`signature.${side}: "${t.name}" is named twice`);
      seen.add(t.name);
      if (!DATATYPES.has(t.datatype)) bad(`signature.${side}.${t.name}: datatype must be one of ${[...DATATYPES].join(", ")}`);
      if (!Array.isArray(t.shape) || t.shape.length === 0 || t.shape[0] !== -1) bad(`signature.${side}.${t.name}: shape must start with the batch dimension -1`);
      if (!t.shape.every((d: number) => d === -1 || (Number.isInteger(d) && d >= 0))) bad(`signature.${side}.${t.name}: dimensions must be -1 or whole numbers ≥ 0`);
    }
  }
  return model;
}

/** Options of {@link servableFromBundle}. */
export interface ServableOptions {
  /** The model's name in the API (default `model`). */
  name?: string;
  /** The model's version (default: a short hash of the bundle's model and transform). */
  version?: string;
}

/**
 * The servable of a serving bundle: a `ServingBundle` (a `bundle` artifact's value) or a folder holding one (an
 * exported bundle, or `/opt/koan/bundle` in a container). Raw rows go in (the bundle applies the transform);
 * the outputs are the bundle signature's (`probabilities`/`probability`, `class`, or `prediction`).
 *
 * This is the single adapter point between training and serving: the server, the deployers, `koan serve`,
 * `koan predict` and the batch inference step all get their model through it.
 * @example
 * ```ts
 * const model = await servableFromBundle("./exported-bundle", { name: "penguins" });
 * await startServer(model, { port: 8080 });
 * ```
 */
export async function servableFromBundle(bundle: unknown, options: ServableOptions = {}): Promise<ServableModel> {
  const { ServingBundle } = await import("../bundle/bundle.js");
  let opened;
  if (ServingBundle.is(bundle)) opened = bundle;
  else if (typeof bundle === "string") opened = await ServingBundle.open(bundle);
  else throw new KoanError("USAGE", `servableFromBundle needs a ServingBundle or a bundle folder, not ${bundle === null ? "null" : typeof bundle}`);
  const b = opened;
  const { sha256 } = await import("../core/hash.js");
  const { readFile } = await import("node:fs/promises");
  const info = await readFile(`${b.model.folder}/koan-model.json`, "utf8");
  await b.warm();
  return checkServable({
    name: options.name ?? "model",
    version: options.version ?? sha256(`${b.manifest.transformHash}\0${info}`).slice(0, 12),
    platform: b.manifest.framework === "tfjs-layers" ? "koan-tfjs" : "koan",
    signature: b.signature,
    predict: (rows) => b.predictNamed(rows),
  });
}
