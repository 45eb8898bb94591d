/**
 * Materializers turn step values into stored blobs and back. Each artifact records the name and version of the
 * materializer that wrote it, and loading always goes through that same materializer (at that version), so a
 * later Koan can still read what an older one wrote.
 * @module
 */
import type { JsonValue } from "../core/hash.js";

/** A blob in the artifact store: its SHA-256 and size in bytes. */
export interface BlobRef {
  readonly hash: string;
  readonly size: number;
}

/** Where a materializer writes blobs. */
export interface BlobWriter {
  putBytes(bytes: Uint8Array): Promise<BlobRef>;
  /** Store a local file's content (streamed). */
  putFile(path: string): Promise<BlobRef>;
}

/** Where a materializer reads blobs. */
export interface BlobReader {
  bytes(hash: string): Promise<Uint8Array>;
  /** A local, read-only path holding the blob's content (the store's own file where it has one). */
  path(hash: string): Promise<string>;
  /** A fresh folder this load may fill (e.g. with links to blobs), named after `label`. */
  folder(label: string): Promise<string>;
}

/** What saving a value produced. */
export interface SavedArtifact {
  /** The blob that identifies the artifact (its content hash is the artifact's content hash). */
  readonly root: BlobRef;
  /** Every blob the artifact needs, the root included. */
  readonly blobs: readonly BlobRef[];
  /** Small plain-data facts for listings and previews (never the data itself). */
  readonly meta?: { readonly [key: string]: JsonValue };
}

/** Saves and loads one kind of value. */
export interface Materializer<T> {
  /** Stable name, e.g. `koan.json`. */
  readonly name: string;
  /** Format version written by `save`; `load` accepts this and every older one. */
  readonly version: number;
  save(value: T, out: BlobWriter): Promise<SavedArtifact>;
  load(root: string, version: number, input: BlobReader): Promise<T>;
}
