/** Materializer for raw bytes: the blob is the value. @module */
import type { Materializer } from "./types.js";

export const bytesMaterializer: Materializer<Uint8Array> = {
  name: "koan.bytes",
  version: 1,
  async save(value, out) {
    const root = await out.putBytes(value);
    return { root, blobs: [root] };
  },
  async load(root, _version, input) {
    return input.bytes(root);
  },
};
