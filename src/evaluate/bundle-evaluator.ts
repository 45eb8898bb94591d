/**
 * The evaluator of serving bundles: it scores the raw rows of the named splits through the bundle (transform and
 * model together), exactly as the model server will, so slices can use raw features (`island`, `sex`) and the
 * evaluated predictions are the served ones.
 *
 * @example
 * ```ts
 * const { evaluation } = bundleEvaluator({ bundle, dataset: splits }, { params: { slices: ["island"] } });
 * ```
 * @module
 */
import { sha256 } from "../core/hash.js";
import type { Step } from "../core/step.js";
import { dataset } from "../data/dataset/type.js";
import { bundleType } from "../bundle/type.js";
import { ServingBundle } from "../bundle/bundle.js";
import type { PredictorOptions } from "../train/model-artifact.js";
import type { BaselineSource } from "./baseline.js";
import type { evaluationType } from "./evaluation-type.js";
import type { evaluatorParams } from "./params.js";
import { customEvaluator } from "./steps.js";

/** Options of {@link bundleEvaluatorStep}. */
export interface BundleEvaluatorOptions {
  name?: string;
  /** Looked up when the step runs (e.g. {@link lastBlessedEvaluation}); its answer is part of the cache key. */
  baseline?: BaselineSource;
  /** For plain TypeScript models: the trainer's `modelFn`. */
  plainModel?: PredictorOptions["plainModel"];
  version?: string;
}

const inputs = { bundle: bundleType(), dataset: dataset() };

/** An evaluator of a serving bundle on the raw rows of a dataset's splits. */
export function bundleEvaluatorStep(options: BundleEvaluatorOptions = {}): Step<typeof inputs, { evaluation: ReturnType<typeof evaluationType> }, typeof evaluatorParams> {
  const plain = options.plainModel;
  return customEvaluator({
    name: options.name ?? "evaluator",
    description: "evaluate a serving bundle on raw rows of named splits, overall and per slice; check thresholds",
    inputs,
    model: async ({ bundle }, _ctx, params) => {
      const opened = await ServingBundle.open(bundle.folder, { backend: params.backend, ...(plain ? { plainModel: plain } : {}) });
      const i = opened.model.info;
      return {
        predict: (rows) => opened.predict(rows),
        label: opened.label,
        model: { kind: "bundle", framework: i.framework, trainer: i.trainer, seed: i.seed, backend: i.backend, epochs: i.epochs, koanVersion: i.koanVersion },
        dispose: () => opened.dispose(),
      };
    },
    ...(options.baseline ? { baseline: options.baseline } : {}),
    version: `bundle:${plain ? sha256(String(plain)) : ""}${options.version ?? ""}`,
  });
}

/** The bundle evaluator (no baseline). */
export const bundleEvaluator = bundleEvaluatorStep();
