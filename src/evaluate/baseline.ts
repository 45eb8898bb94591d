/**
 * Baselines for change thresholds. Steps get no Koan client, so the evaluator takes its baseline either as an
 * input artifact (`evaluatorWithBaseline`, wired to any evaluation) or from a {@link BaselineSource} given when
 * the step is made: a function the evaluator calls before running (the baseline's metrics are part of the step's
 * cache key, so a baseline with other numbers re-runs the evaluation). {@link lastBlessedEvaluation} is the source that asks
 * a Koan project for the last blessed evaluation of a pipeline.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Koan } from "../client/client.js";
import { isEvaluation } from "./evaluation-type.js";
import type { Evaluation } from "./types.js";

/** An evaluation to compare against, with its artifact id when it has one. */
export interface Baseline {
  readonly id: string | null;
  readonly evaluation: Evaluation;
}

/** Finds the baseline when the evaluator runs (undefined: none yet, change thresholds are skipped). */
export interface BaselineSource {
  /** What it looks for, for logs (e.g. `last blessed evaluation of pipeline "penguins"`). */
  readonly description: string;
  find(): Promise<Baseline | undefined>;
}

/** Options of {@link lastBlessedEvaluation}. */
export interface LastBlessedOptions {
  /** The pipeline whose runs are searched. */
  pipeline: string;
  /** Only outputs of this step (default: any step with an `evaluation` output). */
  step?: string;
  /** Runs searched, newest first (default 50). */
  limit?: number;
}

/**
 * The last blessed evaluation of a pipeline in a Koan project, found through the client (newest succeeded run
 * first, blessing read from the artifact's metadata).
 * @example
 * ```ts
 * const koan = await Koan.open();
 * const evaluate = evaluatorStep({ baseline: lastBlessedEvaluation(koan, { pipeline: "penguins" }) });
 * ```
 */
export function lastBlessedEvaluation(koan: Koan, options: LastBlessedOptions): BaselineSource {
  return {
    description: `last blessed evaluation of pipeline "${options.pipeline}"${options.step ? `, step "${options.step}"` : ""}`,
    async find() {
      const runs = await koan.runs({ pipeline: options.pipeline, status: "succeeded", limit: options.limit ?? 50 });
      for (const run of runs) {
        const { steps } = await koan.runDetails(run.id);
        for (const s of steps) {
          if (options.step && s.step !== options.step) continue;
          for (const id of Object.values(s.outputs)) {
            const record = await koan.resolveArtifact(id);
            if (record.type !== "evaluation") continue;
            if ((record.meta as { blessed?: unknown } | null)?.blessed !== true) continue;
            const evaluation = await koan.load(record);
            if (!isEvaluation(evaluation)) throw new KoanError("ARTIFACT_CORRUPT", `artifact ${record.id} is typed evaluation but is not one`);
            return { id: record.id, evaluation };
          }
        }
      }
      return undefined;
    },
  };
}

/** A fixed baseline (tests, or an evaluation loaded by hand). */
export function fixedBaseline(evaluation: Evaluation, id: string | null = null): BaselineSource {
  return { description: id ? `evaluation ${id}` : "a fixed evaluation", find: async () => ({ id, evaluation }) };
}
