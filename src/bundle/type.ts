/**
 * The `bundle` artifact type and its materializer `koan.bundle` (v1): a bundle folder stored as a tree manifest of
 * blobs (so the model files are shared with the `model` artifact they came from), with the signature's headline
 * facts in the artifact's metadata. Loading lays the folder out and opens it as a {@link ServingBundle}.
 * @module
 */
import { defineArtifactType, type ArtifactType } from "../core/types.js";
import { registerMaterializer } from "../materializers/registry.js";
import { layOut, listTree, readManifest, saveTree } from "../materializers/tree.js";
import type { Materializer } from "../materializers/types.js";
import { ServingBundle } from "./bundle.js";

/** Stores {@link ServingBundle}s. */
export const bundleMaterializer: Materializer<ServingBundle> = {
  name: "koan.bundle",
  version: 1,
  async save(bundle, out) {
    const saved = await saveTree("dir", bundle.folder, await listTree(bundle.folder), out);
    const m = bundle.manifest;
    return {
      ...saved,
      meta: {
        ...saved.meta,
        label: m.label.name,
        task: m.label.kind,
        framework: m.framework,
        inputs: m.signature.inputs.map((i) => i.name),
        outputs: m.signature.outputs.map((o) => o.name),
      },
    };
  },
  async load(root, _version, input) {
    const folder = await input.folder("bundle");
    await layOut(await readManifest(root, input), folder, input);
    return ServingBundle.open(folder);
  },
};

registerMaterializer(bundleMaterializer as Materializer<unknown>);

/** A serving bundle (transform + model + signature); produced by the `bundle` step. */
export function bundleType(): ArtifactType<ServingBundle, "bundle"> {
  return defineArtifactType("bundle", bundleMaterializer, (v) => (ServingBundle.is(v) ? undefined : "expected a ServingBundle (made by the bundle step)"));
}
