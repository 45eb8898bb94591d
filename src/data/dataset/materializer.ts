/**
 * Materializer `koan.dataset` v1: a dataset is stored as a tree manifest (relative path → blob) of its
 * `dataset.json`, `schema.pbtxt` and shards. Loading reads shards in place from the store's files (no copy on
 * the local store), since a `Dataset` gives read access only.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { readManifest, saveFiles } from "../../materializers/tree.js";
import type { Materializer } from "../../materializers/types.js";
import { Dataset } from "./dataset.js";

export const datasetMaterializer: Materializer<Dataset> = {
  name: "koan.dataset",
  version: 1,
  async save(dataset, out) {
    const files = await Promise.all(dataset.files().map(async (path) => ({ path, local: await dataset.localFile(path) })));
    const saved = await saveFiles("dir", files, out);
    const splits = Object.fromEntries(Object.entries(dataset.manifest.splits).map(([k, v]) => [k, v.rows]));
    return { ...saved, meta: { ...saved.meta, splits, features: Object.keys(dataset.manifest.features).length } };
  },
  async load(root, _version, input) {
    const manifest = await readManifest(root, input);
    const byPath = new Map(manifest.files.map((f) => [f.path, f.hash] as const));
    return Dataset.fromResolver(async (rel) => {
      const hash = byPath.get(rel);
      if (!hash) throw new KoanError("ARTIFACT_CORRUPT", `stored dataset ${root} has no file "${rel}"`);
      return input.path(hash);
    });
  },
};
