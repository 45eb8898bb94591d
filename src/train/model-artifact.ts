/**
 * A trained model as a folder: `koan-model.json` plus the model files (TF.js Layers `model.json` + `weights.bin`,
 * or a plain model's own files under `plain/`). Trainer steps return one as their `model` output; consumers get
 * one back from the store and turn it into a predict function.
 *
 * @example
 * ```ts
 * const model = (await koan.load(`${run.id}/trainer/model`)) as ModelArtifact;
 * const predictor = await model.predictor();
 * const [p] = await predictor.predict([{ bill_length_mm: 0.3, flipper_length_mm: -1.2 }]);
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../core/errors.js";
import type { FeatureSpec } from "./feature-spec.js";
import { MODEL_INFO_FILE, parseModelInfo, type ModelInfo } from "./model-info.js";
import type { BackendName } from "./backend.js";
import type { LayersModel } from "./tf.js";
import type { PlainModel } from "./plain-model.js";
import { fileIO, MODEL_JSON } from "./io-handler.js";
import { plainPredictor, tfjsPredictor, type Predictor } from "./predictor.js";
import { useBackend } from "./backend.js";

const BRAND = Symbol.for("koan.model");

/** Folder of a plain model's own files inside a model folder. */
export const PLAIN_DIR = "plain";

/** Options of {@link ModelArtifact.predictor}. */
export interface PredictorOptions {
  /** TF.js backend (default `auto`). */
  backend?: BackendName;
  /**
   * For plain models: makes an empty instance to `load` the stored state into (the trainer's `modelFn`, called
   * with the recorded hyperparameters and spec).
   */
  plainModel?: (hparams: Record<string, unknown>, spec: FeatureSpec) => PlainModel;
}

/** A trained model stored as a folder. */
export class ModelArtifact {
  readonly [BRAND] = true;

  private constructor(
    /** The local folder holding the model. */
    readonly folder: string,
    /** Its `koan-model.json`. */
    readonly info: ModelInfo,
  ) {}

  /** Open a model folder (one holding `koan-model.json`). */
  static async open(folder: string): Promise<ModelArtifact> {
    const file = join(folder, MODEL_INFO_FILE);
    const text = await readFile(file, "utf8").catch(() => {
      throw new KoanError("NOT_FOUND", `${folder} is not a Koan model: it has no ${MODEL_INFO_FILE}`);
    });
    return new ModelArtifact(folder, parseModelInfo(text, file));
  }

  /** True for ModelArtifact objects (also across module copies). */
  static is(value: unknown): value is ModelArtifact {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The feature spec the model was trained with. */
  get spec(): FeatureSpec {
    return this.info.spec;
  }

  /** Path of `model.json` (TF.js models). */
  get modelJson(): string {
    if (this.info.framework !== "tfjs-layers") throw new KoanError("USAGE", `this model is a ${this.info.framework} model, not a TF.js model`);
    return join(this.folder, MODEL_JSON);
  }

  /** Load the TF.js Layers model (on the given backend, default `auto`). */
  async loadLayersModel(backend: BackendName = "auto"): Promise<LayersModel> {
    const { tf } = await useBackend(backend);
    return tf.loadLayersModel(fileIO(this.modelJson));
  }

  /** A predict function over plain rows of the model's input features. */
  async predictor(options: PredictorOptions = {}): Promise<Predictor> {
    if (this.info.framework === "tfjs-layers") {
      const { tf } = await useBackend(options.backend ?? "auto");
      const model = await tf.loadLayersModel(fileIO(this.modelJson));
      return tfjsPredictor(tf, model, this.info.spec, this.info.outputs);
    }
    if (!options.plainModel) {
      throw new KoanError("USAGE", `model "${this.info.trainer.name}" is a plain TypeScript model: loading it needs its modelFn`, {
        hint: "pass { plainModel: modelFn } (the same function the trainer used)",
      });
    }
    const hparams = ((this.info.params as { hparams?: Record<string, unknown> } | null)?.hparams ?? {}) as Record<string, unknown>;
    const instance = options.plainModel(hparams, this.info.spec);
    await instance.load(join(this.folder, PLAIN_DIR));
    return plainPredictor(instance, this.info.spec, this.info.outputs);
  }
}
