/**
 * The small adapter each cloud flavor implements (the Kysely "dialect" pattern): plain object operations on one
 * bucket or container, typed only as far as Koan calls them. Everything else — content addressing, staging,
 * hashing, verification, key checks and error wording — lives once in {@link RemoteArtifactStore}.
 * @module
 */
import type { Readable } from "node:stream";

/** What an upload sends: bytes already in memory, or a complete local file (the staged copy of a stream). */
export type UploadBody = { readonly bytes: Uint8Array } | { readonly path: string; readonly size: number };

/** An object listed under a prefix. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
}

/** How a backend reads a failure of its SDK. */
export type FailureKind =
  /** The object is absent (or, where the service cannot tell, the object or its bucket). */
  | "not-found"
  /** The bucket or container does not exist. */
  | "bucket-missing"
  /** The service refused the credentials or the permission. */
  | "denied"
  /** No credentials could be found by the provider chain. */
  | "no-credentials"
  /** The endpoint could not be reached (refused, unresolvable, timed out, reset). */
  | "unreachable"
  /** The request cannot work as configured (wrong region, invalid bucket name, ...): a config problem. */
  | "misconfigured"
  /** A create-only write found the object already there (content-addressed: the same bytes). */
  | "exists"
  | "other";

export interface Failure {
  readonly kind: FailureKind;
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** The service's or the network's error code (`NoSuchBucket`, `ECONNREFUSED`, ...). */
  readonly code?: string;
}

/**
 * Object operations on one bucket/container. Keys are full object names (the store's prefix included). Every
 * method may throw the SDK's own errors; the store asks {@link ObjectBackend.classify} what they mean.
 */
export interface ObjectBackend {
  /** Size of an object, or undefined when it is absent. */
  head(key: string): Promise<{ size: number } | undefined>;
  /**
   * Write an object under its final name, visible only once complete: one atomic request, or a multipart/block/
   * resumable upload whose completion is the last request. Create-only where the service supports it (then an
   * existing object fails with a failure of kind `exists`). Must not leave a partial object under `key`.
   */
  upload(key: string, body: UploadBody): Promise<void>;
  /** Stream an object; throws (kind `not-found`) when it is absent. */
  download(key: string): Promise<Readable>;
  /** Objects whose key starts with `prefix`, page by page (`pageSize` per request). */
  list(prefix: string, pageSize: number): AsyncIterable<ListedObject>;
  /** Remove an object; no error when absent. */
  remove(key: string): Promise<void>;
  /** One cheap request that needs the same access the store needs (list one key under `prefix`). */
  probe(prefix: string): Promise<void>;
  classify(error: unknown): Failure;
  close(): Promise<void>;
}
