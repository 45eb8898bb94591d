/**
 * Evaluator steps. `evaluator` evaluates a `model` artifact on a dataset; `evaluatorWithBaseline` also takes a
 * baseline `evaluation` for change thresholds; `evaluatorStep({ baseline })` looks the baseline up when it runs
 * (e.g. {@link lastBlessedEvaluation}); `customEvaluator` evaluates any predict function built from any inputs (a
 * serving bundle, a model from elsewhere).
 *
 * @example
 * ```ts
 * const { evaluation } = evaluator({ model, dataset }, { params: {
 *   splits: ["eval"], slices: ["island", ["island", "sex"]],
 *   thresholds: [{ metric: "accuracy", value: { lowerBound: 0.9 } }, { metric: "accuracy", change: { direction: "higher_is_better", absolute: -0.01 } }],
 * } });
 * ```
 * @module
 */
import { sha256, hashJson, type JsonValue } from "../core/hash.js";
import { step, type PortValues, type Ports, type Step, type StepContext } from "../core/step.js";
import { dataset } from "../data/dataset/type.js";
import type { Dataset } from "../data/dataset/dataset.js";
import type { LabelSpec } from "../train/feature-spec.js";
import type { ModelArtifact, PredictorOptions } from "../train/model-artifact.js";
import { model } from "../train/model-type.js";
import type { PredictFn } from "../train/predictor.js";
import type { Baseline, BaselineSource } from "./baseline.js";
import { evaluateModel } from "./evaluate.js";
import { evaluationType } from "./evaluation-type.js";
import { evaluatorParams, normalizeSlices, type EvaluatorParams } from "./params.js";

/** Bumped when the evaluation code changes what a step produces (part of the cache key). */
const EVALUATOR_VERSION = "koan.evaluator/1";

/** What a custom evaluator evaluates: a predict function and the label it predicts. */
export interface EvaluationModel {
  readonly predict: PredictFn;
  readonly label: LabelSpec;
  /** Stored with the evaluation (trainer, seed, ...). */
  readonly model?: JsonValue;
  dispose?(): void;
}

/** Options of {@link customEvaluator}. */
export interface CustomEvaluatorOptions<I extends Ports> {
  /** The step's name (default `evaluator`). */
  name?: string;
  description?: string;
  /** Input ports; they must include `dataset` (a dataset with the splits to evaluate). */
  inputs: I;
  /** Builds the predict function from the inputs. */
  model: (inputs: PortValues<I>, ctx: StepContext, params: EvaluatorParams) => Promise<EvaluationModel>;
  /** Where change thresholds find their baseline: a source looked up at run time, or a function of the inputs. */
  baseline?: BaselineSource | ((inputs: PortValues<I>) => Baseline | undefined);
  version?: string;
}

const outputs = { evaluation: evaluationType() };

/** An evaluator step over any predict function (see {@link CustomEvaluatorOptions}). */
export function customEvaluator<I extends Ports>(options: CustomEvaluatorOptions<I>): Step<I, typeof outputs, typeof evaluatorParams> {
  const source = typeof options.baseline === "object" ? options.baseline : undefined;
  const fromInputs = typeof options.baseline === "function" ? options.baseline : undefined;
  const identity = sha256(`${String(options.model)}\0${String(fromInputs ?? "")}\0${source?.description ?? ""}`);
  return step({
    name: options.name ?? "evaluator",
    description: options.description ?? "evaluate a model on named splits, overall and per slice; check thresholds",
    inputs: options.inputs,
    outputs,
    params: evaluatorParams,
    version: `${EVALUATOR_VERSION}:${identity}:${options.version ?? ""}`,
    ...(source
      ? {
          fingerprint: async () => {
            // The baseline's metrics, not its id: a newer blessed evaluation with the same numbers keeps the cache.
            const b = await source.find();
            return { baseline: b ? hashJson(b.evaluation.splits) : null };
          },
        }
      : {}),
    run: async (ctx, inputs, params) => {
      const m = await options.model(inputs, ctx, params);
      let baseline = fromInputs ? fromInputs(inputs) : undefined;
      if (source) {
        baseline = await source.find();
        ctx.log.info(baseline ? `baseline: ${source.description}: ${baseline.id ?? "(no id)"}` : `no baseline (${source.description}): change thresholds are skipped`);
      }
      try {
        const evaluation = await evaluateModel({
          dataset: (inputs as unknown as { dataset: Dataset }).dataset,
          predict: m.predict,
          label: m.label,
          splits: params.splits,
          slices: normalizeSlices(params.slices),
          thresholds: params.thresholds,
          baseline,
          decisionThreshold: params.decisionThreshold,
          calibrationBins: params.calibrationBins,
          residualBins: params.residualBins,
          batchSize: params.batchSize,
          model: m.model ?? null,
          signal: ctx.signal,
        });
        for (const s of evaluation.splits) {
          for (const [k, v] of Object.entries(s.overall.metrics)) if (v !== null) ctx.log.metric(`${s.split}/${k}`, v);
        }
        ctx.log.info(`${evaluation.blessing.blessed ? "blessed" : "NOT blessed"}: ${evaluation.blessing.reasons.join("; ")}`);
        return { evaluation };
      } finally {
        m.dispose?.();
      }
    },
  });
}

/** Options of {@link evaluatorStep}. */
export interface EvaluatorStepOptions {
  name?: string;
  /** Looked up when the step runs; its answer is part of the cache key. */
  baseline?: BaselineSource;
  /** For plain TypeScript models: the trainer's `modelFn` (it makes the instance the stored state is loaded into). */
  plainModel?: PredictorOptions["plainModel"];
  version?: string;
}

async function fromModel(m: ModelArtifact, params: EvaluatorParams, plainModel: PredictorOptions["plainModel"]): Promise<EvaluationModel> {
  const predictor = await m.predictor({ backend: params.backend, ...(plainModel ? { plainModel } : {}) });
  const i = m.info;
  return {
    predict: (rows) => predictor.predict(rows),
    label: i.spec.label,
    model: { framework: i.framework, trainer: i.trainer, seed: i.seed, backend: i.backend, epochs: i.epochs, koanVersion: i.koanVersion },
    dispose: () => predictor.dispose(),
  };
}

const modelInputs = { model: model(), dataset: dataset() };
const baselineInputs = { model: model(), dataset: dataset(), baseline: evaluationType() };

/** An evaluator of a `model` artifact (optionally with a baseline source or a plain model's modelFn). */
export function evaluatorStep(options: EvaluatorStepOptions = {}): Step<typeof modelInputs, typeof outputs, typeof evaluatorParams> {
  const plain = options.plainModel;
  return customEvaluator({
    name: options.name ?? "evaluator",
    inputs: modelInputs,
    model: ({ model: m }, _ctx, params) => fromModel(m, params, plain),
    ...(options.baseline ? { baseline: options.baseline } : {}),
    version: `${plain ? sha256(String(plain)) : ""}${options.version ?? ""}`,
  });
}

/** An evaluator of a `model` artifact whose change thresholds compare with a `baseline` evaluation input. */
export function evaluatorWithBaselineStep(options: Omit<EvaluatorStepOptions, "baseline"> = {}): Step<typeof baselineInputs, typeof outputs, typeof evaluatorParams> {
  const plain = options.plainModel;
  return customEvaluator({
    name: options.name ?? "evaluator",
    inputs: baselineInputs,
    model: ({ model: m }, _ctx, params) => fromModel(m, params, plain),
    baseline: ({ baseline }) => ({ id: null, evaluation: baseline }),
    version: `${plain ? sha256(String(plain)) : ""}${options.version ?? ""}`,
  });
}

/** The evaluator of TF.js `model` artifacts. */
export const evaluator = evaluatorStep();
/** The evaluator with a `baseline` evaluation input. */
export const evaluatorWithBaseline = evaluatorWithBaselineStep();
