/**
 * The `model` artifact type and its materializer `koan.model` (v1): a model folder (`koan-model.json` + model
 * files) stored as a tree manifest of blobs, with the headline facts (framework, task, seed, epochs, last metrics)
 * in the artifact's metadata. Loading lays the files out in a fresh folder and opens it.
 * @module
 */
import { defineArtifactType, type ArtifactType } from "../core/types.js";
import type { JsonValue } from "../core/hash.js";
import { registerMaterializer } from "../materializers/registry.js";
import { layOut, listTree, readManifest, saveTree } from "../materializers/tree.js";
import type { Materializer } from "../materializers/types.js";
import { ModelArtifact } from "./model-artifact.js";

/** Stores {@link ModelArtifact}s. */
export const modelMaterializer: Materializer<ModelArtifact> = {
  name: "koan.model",
  version: 1,
  async save(model, out) {
    const saved = await saveTree("dir", model.folder, await listTree(model.folder), out);
    const i = model.info;
    const last: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(i.history)) if (v.length) last[k] = v[Math.min(i.bestEpoch, v.length - 1)] as number;
    return {
      ...saved,
      meta: {
        ...saved.meta,
        framework: i.framework,
        task: i.spec.label.kind,
        label: i.spec.label.name,
        trainer: i.trainer.name,
        seed: i.seed,
        backend: i.backend,
        epochs: i.epochs,
        metrics: last,
      },
    };
  },
  async load(root, _version, input) {
    const folder = await input.folder("model");
    await layOut(await readManifest(root, input), folder, input);
    return ModelArtifact.open(folder);
  },
};

registerMaterializer(modelMaterializer as Materializer<unknown>);

/**
 * A trained model (`types.model()` once exported by the lead; `model()` here): trainer steps return a
 * {@link ModelArtifact}, consumers receive one.
 */
export function model(): ArtifactType<ModelArtifact, "model"> {
  return defineArtifactType("model", modelMaterializer, (v) => (ModelArtifact.is(v) ? undefined : "expected a ModelArtifact (returned by a trainer)"));
}
