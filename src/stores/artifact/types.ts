/**
 * The artifact store: immutable, content-addressed blobs. Every flavor (local folder, S3, GCS, Azure) implements
 * this small interface and passes the shared conformance suite (`test/conformance/artifact-store.cases.ts`).
 *
 * Guarantees every flavor gives: a blob's key is the SHA-256 of its bytes; a blob becomes visible only once it is
 * complete; a blob never changes once written; `get` with `verify` fails with `ARTIFACT_CORRUPT` if the bytes no
 * longer hash to the key.
 * @module
 */
import type { Readable } from "node:stream";
import type { BlobRef } from "../../materializers/types.js";

export type { BlobRef } from "../../materializers/types.js";

/** Content-addressed blob storage. */
export interface ArtifactStore {
  /** Flavor name, e.g. `local`. */
  readonly flavor: string;
  /** Where the store lives, e.g. `file:///home/me/proj/.koan/artifacts`; recorded with runs. */
  readonly uri: string;
  /** Store bytes from a buffer or a stream; resolves once the blob is complete and visible. */
  put(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<BlobRef>;
  /** Stream a blob. Throws `ARTIFACT_NOT_FOUND`; with `verify`, the stream errors with `ARTIFACT_CORRUPT` on a hash mismatch. */
  get(hash: string, options?: { verify?: boolean }): Promise<Readable>;
  /** Size of a blob, or undefined when absent. */
  stat(hash: string): Promise<{ size: number } | undefined>;
  exists(hash: string): Promise<boolean>;
  /** Every blob, in no particular order. */
  list(): AsyncIterable<BlobRef>;
  /** Remove a blob (no error when absent). */
  delete(hash: string): Promise<void>;
  /** A local, read-only file holding the blob, for flavors that have one (avoids a copy). */
  localPath?(hash: string): string | undefined;
  /**
   * Store a local file the caller hands over, without copying its bytes where the flavor can (the local flavor
   * hard-links it into the store when both are on one file system, and copies it otherwise). The file becomes
   * read-only; the caller must not change it afterwards, and may delete it. Flavors without it are given files
   * through {@link put}.
   */
  adoptFile?(path: string): Promise<BlobRef>;
  close(): Promise<void>;
}

const HASH = /^[0-9a-f]{64}$/;

/** Check a blob key (keeps keys from ever naming paths). */
export function isBlobHash(hash: string): boolean {
  return HASH.test(hash);
}
