/**
 * Lazy access to TensorFlow.js. Koan never imports `@tensorflow/tfjs` at module load (so `import "koan"` and
 * `koan --help` stay fast): trainers, predictors and the evaluator call {@link loadTf} when they run.
 * @module
 */
import type * as TfModule from "@tensorflow/tfjs";
import { loadCommonJs } from "../core/commonjs.js";
import { KoanError } from "../core/errors.js";

/** The `@tensorflow/tfjs` namespace. */
export type Tf = typeof TfModule;
/** A TF.js Layers model. */
export type LayersModel = TfModule.LayersModel;
/** A TF.js tensor. */
export type Tensor = TfModule.Tensor;

let loaded: Promise<Tf> | undefined;

/** Load `@tensorflow/tfjs` once (the same module instance for every caller; see core/commonjs.ts for why `require`). */
export function loadTf(): Promise<Tf> {
  loaded ??= loadCommonJs<Tf>("@tensorflow/tfjs").catch((e: unknown) => {
    loaded = undefined;
    throw new KoanError("INTERNAL", `@tensorflow/tfjs could not be loaded: ${(e as Error).message}`, { cause: e, hint: "reinstall Koan's dependencies (npm install)" });
  });
  return loaded;
}
