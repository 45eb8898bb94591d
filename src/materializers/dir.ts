/** Materializer for a folder of files (sub-folders kept; empty folders are not). @module */
import type { Materializer } from "./types.js";
import { layOut, listTree, readManifest, saveTree } from "./tree.js";

export const dirMaterializer: Materializer<string> = {
  name: "koan.dir",
  version: 1,
  async save(path, out) {
    return saveTree("dir", path, await listTree(path), out);
  },
  async load(root, _version, input) {
    const folder = await input.folder("dir");
    await layOut(await readManifest(root, input), folder, input);
    return folder;
  },
};
