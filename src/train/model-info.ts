/**
 * `koan-model.json`: what Koan records next to a trained model — the framework, the feature spec, the outputs,
 * the trainer, its parameters, the seed, the backend and the training history.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import { checkFeatureSpec, type FeatureSpec } from "./feature-spec.js";

/** File name of the model info inside a model folder. */
export const MODEL_INFO_FILE = "koan-model.json";
/** Format version of {@link ModelInfo}. */
export const MODEL_INFO_VERSION = 1;

/** How the model is stored. */
export type ModelFramework = "tfjs-layers" | "plain";

/** Contents of `koan-model.json`. */
export interface ModelInfo {
  readonly format: "koan.model";
  readonly version: number;
  /** `tfjs-layers`: `model.json` + `weights.bin` at the folder's root. `plain`: the model's own files in `plain/`. */
  readonly framework: ModelFramework;
  readonly spec: FeatureSpec;
  /** Values per prediction: 1 for binary (P(positive class)) and regression, the class count for multiclass. */
  readonly outputs: number;
  /** Class names by index, when known. */
  readonly classes: readonly string[] | null;
  /** `feed_forward` (built-in), `model_fn` (user TF.js model) or `plain` (user TypeScript model), and its name. */
  readonly trainer: { readonly kind: "feed_forward" | "model_fn" | "plain"; readonly name: string };
  /** The trainer's parameters (hyperparameters included). */
  readonly params: JsonValue;
  /** The seed training drew every random number from. */
  readonly seed: number;
  /** The TF.js backend it was trained on (null for plain models). */
  readonly backend: string | null;
  readonly epochs: number;
  /** The epoch whose weights were kept (early stopping with restoreBestWeights), else the last one. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Metric → value per epoch (`loss`, `accuracy`, `val_loss`, ...). */
  readonly history: Readonly<Record<string, readonly number[]>>;
  readonly koanVersion: string;
}

/** Parse and check `koan-model.json`. */
export function parseModelInfo(text: string, where: string): ModelInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `${where}: not JSON: ${(e as Error).message}`);
  }
  const m = raw as ModelInfo;
  if (typeof m !== "object" || m === null || m.format !== "koan.model") throw new KoanError("FORMAT_INVALID", `${where}: not a Koan model (format is not "koan.model")`);
  if (typeof m.version !== "number" || m.version > MODEL_INFO_VERSION) {
    throw new KoanError("FORMAT_INVALID", `${where}: model format version ${String(m.version)} is newer than this Koan reads (${MODEL_INFO_VERSION})`, { hint: "upgrade Koan" });
  }
  if (m.framework !== "tfjs-layers" && m.framework !== "plain") throw new KoanError("FORMAT_INVALID", `${where}: unknown framework "${String(m.framework)}"`);
  checkFeatureSpec(m.spec, `${where}: spec`);
  return m;
}
