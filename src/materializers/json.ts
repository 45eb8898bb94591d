/** Materializer for JSON values: canonical JSON bytes (sorted keys), so equal values share one blob. @module */
import { canonicalJson, type JsonValue } from "../core/hash.js";
import type { Materializer } from "./types.js";

export const jsonMaterializer: Materializer<unknown> = {
  name: "koan.json",
  version: 1,
  async save(value, out) {
    const text = canonicalJson(value);
    const root = await out.putBytes(Buffer.from(text, "utf8"));
    return { root, blobs: [root], meta: { preview: text.length > 200 ? `${text.slice(0, 200)}…` : text } };
  },
  async load(root, _version, input) {
    return JSON.parse(Buffer.from(await input.bytes(root)).toString("utf8")) as JsonValue;
  },
};
