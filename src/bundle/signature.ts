/**
 * The signature of a serving bundle: the transform's raw input features (minus the label) with their types, and
 * the outputs the task gives — `probability` and `class` (binary), `probabilities` and `class` (multi-class),
 * `prediction` (regression).
 * @module
 */
import type { FeatureKind } from "../data/example/types.js";
import type { Datatype, Signature, TensorSpec } from "../serving/model.js";
import type { LabelSpec } from "../train/feature-spec.js";
import type { FittedTransform } from "../transform/format.js";
import { isCategorical } from "../transform/ops.js";

const DATATYPE: Readonly<Record<FeatureKind, Datatype>> = { float: "FP32", int64: "INT64", bytes: "BYTES" };

/** Whether every use of raw feature `name` copes with a missing value (a fill value, or a vocabulary's OOV bucket). */
function optional(transform: FittedTransform, name: string): boolean {
  const uses = transform.features.filter((f) => f.source === name);
  if (uses.length === 0) return false;
  const inCross = transform.crosses.some((c) => c.features.includes(name));
  const inCustom = transform.custom.some((c) => c.inputs.includes(name));
  if (inCross || inCustom) return false;
  return uses.every((f) => {
    const last = f.ops[f.ops.length - 1];
    return f.fill !== null || (last !== undefined && isCategorical(last));
  });
}

/** The outputs a model of this label answers with. */
export function outputsOf(label: LabelSpec): TensorSpec[] {
  switch (label.kind) {
    case "regression":
      return [{ name: "prediction", datatype: "FP32", shape: [-1] }];
    case "binary":
      return [
        { name: "probability", datatype: "FP32", shape: [-1] },
        { name: "class", datatype: "BYTES", shape: [-1] },
      ];
    case "multiclass":
      return [
        { name: "probabilities", datatype: "FP32", shape: [-1, label.classes?.length ?? -1] },
        { name: "class", datatype: "BYTES", shape: [-1] },
      ];
  }
}

/** The bundle signature of a transform and a label. */
export function bundleSignature(transform: FittedTransform, label: LabelSpec): Signature {
  const inputs: TensorSpec[] = transform.inputs
    .filter((i) => i.name !== transform.label?.name && i.name !== label.name)
    .map((i) => ({ name: i.name, datatype: DATATYPE[i.kind], shape: [-1], ...(optional(transform, i.name) ? { optional: true } : {}) }));
  return { inputs, outputs: outputsOf(label) };
}
