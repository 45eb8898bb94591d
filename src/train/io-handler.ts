/**
 * A Node file-system `IOHandler` for TF.js Layers models (what `@tensorflow/tfjs-node`'s `file://` handler does,
 * without the native package): `model.save(fileIO(dir))` writes `model.json` + `weights.bin`;
 * `tf.loadLayersModel(fileIO(path))` reads a `model.json` (a folder holding one, or the file itself) and every
 * weight file its manifest names, relative to it. Weight paths may not leave the model's folder.
 * @module
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import type { io } from "@tensorflow/tfjs";
import { KoanError } from "../core/errors.js";
import { loadTf } from "./tf.js";

/** Name of the topology file written by {@link fileIO}. */
export const MODEL_JSON = "model.json";
/** Name of the weights file written by {@link fileIO}. */
export const WEIGHTS_BIN = "weights.bin";

/** The TF.js IO handler type. */
export type IOHandler = io.IOHandler;

async function modelJsonPath(path: string): Promise<string> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new KoanError("NOT_FOUND", `no TF.js model at ${path}`);
  return s.isDirectory() ? join(path, MODEL_JSON) : path;
}

/**
 * An IOHandler for a folder (save) or a `model.json` / folder holding one (load).
 * @example
 * ```ts
 * await model.save(fileIO("out/model"));
 * const again = await tf.loadLayersModel(fileIO("out/model"));
 * ```
 */
export function fileIO(path: string): IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      const tf = await loadTf();
      if (artifacts.modelTopology instanceof ArrayBuffer) {
        throw new KoanError("USAGE", "fileIO saves Layers models only (the topology is a binary graph)");
      }
      await mkdir(path, { recursive: true });
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      const manifest: io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
      const json: io.ModelJSON = {
        modelTopology: artifacts.modelTopology ?? {},
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: manifest,
        ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
        ...(artifacts.signature ? { signature: artifacts.signature } : {}),
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFile(join(path, WEIGHTS_BIN), new Uint8Array(weights));
      await writeFile(join(path, MODEL_JSON), JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<io.ModelArtifacts> {
      const tf = await loadTf();
      const file = await modelJsonPath(path);
      let json: io.ModelJSON;
      try {
        json = JSON.parse(await readFile(file, "utf8")) as io.ModelJSON;
      } catch (e) {
        throw new KoanError("FORMAT_INVALID", `${file} is not a TF.js model.json: ${(e as Error).message}`);
      }
      if (typeof json !== "object" || json === null || !json.modelTopology) {
        throw new KoanError("FORMAT_INVALID", `${file} has no modelTopology: it is not a TF.js model.json`);
      }
      const root = resolve(dirname(file));
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const buffers: Uint8Array[] = [];
        for (const group of manifest ?? []) {
          for (const p of group.paths) {
            const full = resolve(root, p);
            if (!full.startsWith(root + sep)) throw new KoanError("FORMAT_INVALID", `${file}: weight path "${p}" leaves the model's folder`);
            buffers.push(await readFile(full).catch((e: unknown) => {
              throw new KoanError("NOT_FOUND", `${file}: weight file "${p}" cannot be read: ${(e as Error).message}`);
            }));
          }
        }
        const all = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
        let at = 0;
        for (const b of buffers) {
          all.set(b, at);
          at += b.byteLength;
        }
        return [tf.io.getWeightSpecs(manifest), all.buffer];
      });
    },
  };
}
