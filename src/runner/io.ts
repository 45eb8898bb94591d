/** Blob readers and writers over an artifact store, for materializers. @module */
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, realpath, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { pipeline as pipe } from "node:stream/promises";
import { createWriteStream } from "node:fs";
import type { ArtifactStore } from "../stores/artifact/types.js";
import { readBlob } from "../stores/artifact/verify.js";
import type { BlobReader, BlobRef, BlobWriter } from "../materializers/types.js";

/**
 * A writer that stores every blob in `store`. Files whose real path lies inside `handOver` (a folder the caller
 * is about to delete, such as a step's scratch folder) are given to the store's `adoptFile` where it has one, so
 * large outputs are not copied; every other file is streamed, and never changed.
 */
export function blobWriter(store: ArtifactStore, options: { handOver?: string } = {}): BlobWriter {
  const { handOver } = options;
  const stream = (path: string): Promise<BlobRef> => store.put(createReadStream(path, { highWaterMark: 1 << 20 }));
  return {
    putBytes: (bytes) => store.put(bytes),
    async putFile(path) {
      if (handOver === undefined || !store.adoptFile) return stream(path);
      const [root, real] = await Promise.all([realpath(handOver).catch(() => undefined), realpath(path).catch(() => undefined)]);
      if (root === undefined || real === undefined) return stream(path); // no such folder (or file: put reports it)
      const rel = relative(root, real);
      return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? store.adoptFile(real) : stream(path);
    },
  };
}

/** A reader over `store`; `folder()` makes folders under `scratch`, and blobs of remote stores are downloaded there. */
export function blobReader(store: ArtifactStore, scratch: string): BlobReader {
  const downloads = join(scratch, ".blobs");
  return {
    bytes: (hash) => readBlob(store, hash),
    async path(hash) {
      const local = store.localPath?.(hash);
      if (local) return local;
      await mkdir(downloads, { recursive: true });
      const dest = join(downloads, hash);
      await pipe(await store.get(hash, { verify: true }), createWriteStream(dest));
      return dest;
    },
    async folder(label) {
      await mkdir(scratch, { recursive: true });
      return mkdtemp(join(scratch, `${label}-`));
    },
  };
}

/** Write text as a blob (logs). */
export async function putText(store: ArtifactStore, text: string): Promise<string> {
  return (await store.put(Buffer.from(text, "utf8"))).hash;
}

/** Write a file (used by tests and commandStep). */
export async function writeText(path: string, text: string): Promise<void> {
  await writeFile(path, text, "utf8");
}
