/** Materializer for a single file; keeps its name. @module */
import { basename, dirname, join } from "node:path";
import type { Materializer } from "./types.js";
import { layOut, readManifest, saveTree } from "./tree.js";

export const fileMaterializer: Materializer<string> = {
  name: "koan.file",
  version: 1,
  async save(path, out) {
    return saveTree("file", dirname(path), [basename(path)], out);
  },
  async load(root, _version, input) {
    const manifest = await readManifest(root, input);
    const folder = await input.folder("file");
    await layOut(manifest, folder, input);
    return join(folder, manifest.files[0]?.path ?? "");
  },
};
