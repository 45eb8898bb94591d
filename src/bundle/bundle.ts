/**
 * A serving bundle: the fitted transform, the trained model and the signature in one folder, predicting from
 * raw rows. The transform runs through the same code that wrote the training data ({@link compileTransform}),
 * and the model through the same predictor the evaluator uses, so a bundle's predictions on raw rows equal the
 * evaluator's predictions on the transformed rows bit for bit.
 *
 * @example
 * ```ts
 * const bundle = await loadBundle(`${run.id}/bundle/bundle`);
 * const [p] = await bundle.predict([{ island: "Biscoe", bill_length_mm: 48.6, flipper_length_mm: 230 }]);
 * const [named] = await bundle.predictNamed([{ island: "Biscoe", bill_length_mm: 48.6 }]); // { probabilities: [...], class: "Gentoo" }
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../core/errors.js";
import type { FeatureValue, Signature } from "../serving/model.js";
import type { LabelSpec } from "../train/feature-spec.js";
import { ModelArtifact, type PredictorOptions } from "../train/model-artifact.js";
import type { Prediction, Predictor } from "../train/predictor.js";
import { compileTransform, type ApplyOptions, type CompiledTransform } from "../transform/apply.js";
import { loadTransform } from "../transform/artifact.js";
import type { FittedTransform } from "../transform/format.js";
import { BUNDLE_MANIFEST, parseBundleManifest, type BundleManifest } from "./format.js";

const BRAND = Symbol.for("koan.bundle");

/** Options for opening a bundle: the TF.js backend, a plain model's factory, custom transform functions. */
export interface BundleOptions extends PredictorOptions, ApplyOptions {}

/** A raw input row: feature name → value (numbers, strings, bigints, bytes; a one-element list is that value). */
export type RawFeatureRow = Readonly<Record<string, unknown>>;

/** A serving bundle opened from its folder. */
export class ServingBundle {
  readonly [BRAND] = true;
  private predictor: Promise<Predictor> | undefined;
  private compiled: CompiledTransform | undefined;

  private constructor(
    /** The local folder holding the bundle. */
    readonly folder: string,
    readonly manifest: BundleManifest,
    readonly transform: FittedTransform,
    readonly model: ModelArtifact,
    private readonly options: BundleOptions,
  ) {}

  /** Open a bundle folder (the model is loaded on the first prediction). */
  static async open(folder: string, options: BundleOptions = {}): Promise<ServingBundle> {
    const file = join(folder, BUNDLE_MANIFEST);
    const text = await readFile(file, "utf8").catch(() => {
      throw new KoanError("NOT_FOUND", `${folder} is not a Koan serving bundle: it has no ${BUNDLE_MANIFEST}`, { hint: "export a bundle with the bundle step, or `koan artifacts export <bundle> <dir>`" });
    });
    const manifest = parseBundleManifest(text, file);
    const transform = await loadTransform(join(folder, manifest.transform));
    const model = await ModelArtifact.open(join(folder, manifest.model));
    return new ServingBundle(folder, manifest, transform, model, options);
  }

  /** True for ServingBundle objects (also across module copies). */
  static is(value: unknown): value is ServingBundle {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Raw inputs and named outputs. */
  get signature(): Signature {
    return this.manifest.signature;
  }

  /** The label the model predicts (kind, class names). */
  get label(): LabelSpec {
    return this.manifest.label;
  }

  private transformer(): CompiledTransform {
    this.compiled ??= compileTransform(this.transform, this.options.custom || this.options.trustStoredCode ? this.options : undefined);
    return this.compiled;
  }

  private loadPredictor(): Promise<Predictor> {
    this.predictor ??= this.model.predictor(this.options).catch((e: unknown) => {
      this.predictor = undefined;
      throw e;
    });
    return this.predictor;
  }

  /** Load the model now (a server does this before it reports ready; afterwards the bundle's files are not read again). */
  async warm(): Promise<void> {
    await this.loadPredictor();
  }

  /** Transform raw rows into the model's packed input (row-major float32). */
  pack(rows: readonly RawFeatureRow[]): Float32Array {
    const t = this.transformer();
    const x = new Float32Array(rows.length * t.width);
    rows.forEach((r, i) => x.set(t.vector(r, { row: i }), i * t.width));
    return x;
  }

  /**
   * Predict raw rows: P(positive class) for binary models, class probabilities for multi-class models, the value
   * for regression — the same numbers the evaluator computes.
   */
  async predict(rows: readonly RawFeatureRow[]): Promise<Prediction[]> {
    if (rows.length === 0) return [];
    const predictor = await this.loadPredictor();
    const values = await predictor.predictPacked(this.pack(rows), rows.length);
    const k = predictor.outputs;
    const out: Prediction[] = new Array(rows.length);
    for (let r = 0; r < rows.length; r++) out[r] = k === 1 ? Number(values[r]) : Array.from(values.subarray(r * k, (r + 1) * k), Number);
    return out;
  }

  /** Predict raw rows and name the outputs as the signature does (`probability`/`probabilities`, `class`, `prediction`). */
  async predictNamed(rows: readonly RawFeatureRow[]): Promise<Record<string, FeatureValue>[]> {
    const predictions = await this.predict(rows);
    const label = this.label;
    const className = (i: number): string => label.classes?.[i] ?? String(i);
    return predictions.map((p): Record<string, FeatureValue> => {
      if (label.kind === "regression") return { prediction: p as number };
      if (label.kind === "binary") return { probability: p as number, class: className((p as number) > 0.5 ? 1 : 0) };
      const probs = p as readonly number[];
      let best = 0;
      for (let i = 1; i < probs.length; i++) if ((probs[i] as number) > (probs[best] as number)) best = i;
      return { probabilities: [...probs], class: className(best) };
    });
  }

  /** Release the model (TF.js tensors). */
  dispose(): void {
    const p = this.predictor;
    this.predictor = undefined;
    void p?.then((x) => x.dispose(), () => undefined);
  }
}
