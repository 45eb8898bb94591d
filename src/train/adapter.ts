/**
 * The adapter from a transform's feature spec (what `featureSpec(transform)` returns: inputs with float32/int64
 * dtypes and a `classification`/`regression` label) to the trainer's {@link FeatureSpec}. It is typed by shape
 * only, so the trainer does not depend on the transform module.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { checkFeatureSpec, type FeatureSpec, type TaskKind } from "./feature-spec.js";

/** The parts of a transform's feature spec the trainer reads. */
export interface TransformSpecLike {
  readonly inputs: readonly { readonly name: string; readonly dtype: string; readonly shape: readonly number[] }[];
  readonly label: { readonly name: string; readonly task: "classification" | "regression"; readonly classes?: readonly string[] } | null;
}

/**
 * Convert a transform's feature spec. Classification with two classes becomes `binary` (sigmoid output, P(second
 * class)) unless `task` says `multiclass`; int64 inputs (indices, counts) are fed as float32.
 * @example
 * ```ts
 * const spec = specFromTransform(featureSpec(transform));
 * await trainModel({ dataset: transformed, spec, ... });
 * ```
 */
export function specFromTransform(t: TransformSpecLike, options: { task?: TaskKind } = {}): FeatureSpec {
  if (!t.label) throw new KoanError("USAGE", "the transform has no label: a trainer needs one", { hint: "declare the label in the transform" });
  const classes = t.label.classes;
  const task: TaskKind =
    options.task ?? (t.label.task === "regression" ? "regression" : classes && classes.length === 2 ? "binary" : "multiclass");
  return checkFeatureSpec(
    {
      inputs: t.inputs.map((i) => ({ name: i.name, dtype: "float32", shape: [...i.shape] })),
      label: { name: t.label.name, kind: task, ...(classes && task !== "regression" ? { classes: [...classes] } : {}) },
    },
    "feature spec from the transform",
  );
}
