/**
 * `transform_spec`: the trainer's feature spec of a fitted transform's outputs (the adapter between preprocessing
 * and training, as a step).
 *
 * @example
 * ```ts
 * const { transform, dataset } = preprocess({ dataset: splits }, { params: { label: "species" } });
 * const { spec } = transformSpec({ transform });
 * trainer({ dataset, spec });
 * ```
 * @module
 */
import { z } from "zod";
import { step } from "../core/step.js";
import { specFromTransform } from "../train/adapter.js";
import { featureSpecType } from "../train/spec-type.js";
import { transformType } from "../transform/artifact.js";
import { featureSpec } from "../transform/feature-spec.js";

/** Parameters of {@link transformSpec}: the task when the transform's label alone does not decide it. */
export const transformSpecParams = z.object({ task: z.enum(["binary", "multiclass", "regression"]).optional() }).strict();

/** Fitted transform → feature spec for the trainer. */
export const transformSpec = step({
  name: "transform_spec",
  description: "the trainer's feature spec of a fitted transform's outputs",
  version: "1",
  inputs: { transform: transformType() },
  outputs: { spec: featureSpecType() },
  params: transformSpecParams,
  run: (_ctx, { transform }, p) => ({ spec: specFromTransform(featureSpec(transform), p.task ? { task: p.task } : {}) }),
});
