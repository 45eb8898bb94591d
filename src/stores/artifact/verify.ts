/** Hash-checking helpers shared by every artifact store flavor. @module */
import { createHash } from "node:crypto";
import { Transform, type Readable } from "node:stream";
import { KoanError } from "../../core/errors.js";
import type { ArtifactStore } from "./types.js";

/** A pass-through stream that fails at the end when the bytes do not hash to `expected`. */
export function verifyingStream(expected: string, where: string): Transform {
  const h = createHash("sha256");
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      cb(null, chunk);
    },
    flush(cb) {
      const got = h.digest("hex");
      cb(got === expected ? null : new KoanError("ARTIFACT_CORRUPT", `blob ${expected} in ${where} is corrupt: its content hashes to ${got}`, { hint: "run `koan artifacts verify` to find all corrupt blobs" }));
    },
  });
}

/** Read a whole blob into memory, verifying its hash. */
export async function readBlob(store: ArtifactStore, hash: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.get(hash, { verify: true })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Re-hash a stored blob: `ok`, `missing` or `corrupt`. */
export async function checkBlob(store: ArtifactStore, hash: string): Promise<"ok" | "missing" | "corrupt"> {
  if (!(await store.exists(hash))) return "missing";
  const h = createHash("sha256");
  const stream: Readable = await store.get(hash);
  for await (const c of stream) h.update(c as Buffer);
  return h.digest("hex") === hash ? "ok" : "corrupt";
}
