/**
 * The artifact store over an object service (S3, Azure Blob, GCS): one implementation of the content-addressed
 * guarantees, parameterised by a small {@link ObjectBackend}.
 *
 * - Keys: `<prefix>/sha256/ab/<hash>`; anything that is not a SHA-256 never reaches the service.
 * - Visible only when complete: bytes are staged to a local temp file while hashed, then uploaded under the
 *   final key in one request or a multipart/block/resumable upload completed last; a source that fails never
 *   reaches the service, and content already stored is not sent again.
 * - Immutable: uploads are create-only where the service supports it; a blob is only ever written with the bytes
 *   that hash to its key.
 * - Errors: one {@link KoanError} per failure, naming the component and bucket, never a credential.
 * @module
 */
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { PassThrough, type Readable } from "node:stream";
import { KoanError } from "../../../core/errors.js";
import { isBlobHash, type ArtifactStore, type BlobRef } from "../types.js";
import { verifyingStream } from "../verify.js";
import type { ObjectBackend } from "./backend.js";
import { storeError, type StoreWhere } from "./errors.js";
import { StagingArea } from "./staging.js";

export interface RemoteArtifactStoreOptions {
  readonly where: StoreWhere;
  /** Object-name prefix without leading or trailing slashes ("" for the bucket's root). */
  readonly prefix: string;
  /** Parent folder of the staging temp folder (default: the OS temp folder). */
  readonly stagingDir?: string;
  /** Keys per list request (default 1000). */
  readonly listPageSize?: number;
}

/** Normalise a configured prefix: no leading/trailing slashes, no empty or `.`/`..` segments. */
export function normalizePrefix(prefix: string | undefined): string {
  const parts = (prefix ?? "").split("/").filter((p) => p !== "");
  if (parts.some((p) => p === "." || p === "..")) throw new KoanError("CONFIG_INVALID", `artifact store prefix "${prefix}" may not contain "." or ".." segments`);
  return parts.join("/");
}

export class RemoteArtifactStore implements ArtifactStore {
  readonly flavor: string;
  readonly uri: string;
  private readonly root: string;
  private readonly staging: StagingArea;
  private readonly pageSize: number;
  /** Set once the bucket is known to exist (a 404 is then the object's, not the bucket's). */
  private bucketSeen = false;

  constructor(
    private readonly backend: ObjectBackend,
    private readonly options: RemoteArtifactStoreOptions,
  ) {
    this.flavor = options.where.flavor;
    this.uri = options.where.uri;
    this.root = `${options.prefix ? `${options.prefix}/` : ""}sha256/`;
    this.staging = new StagingArea(options.stagingDir);
    this.pageSize = options.listPageSize ?? 1000;
  }

  /** The object name of a blob. */
  keyOf(hash: string): string {
    if (!isBlobHash(hash)) throw new KoanError("ARTIFACT_NOT_FOUND", `"${hash}" is not a blob hash`);
    return `${this.root}${hash.slice(0, 2)}/${hash}`;
  }

  /**
   * Cheap reachability check for `koan stack describe`: one list request on the store's prefix, which needs the
   * same endpoint, credentials, bucket and permission as the store itself. Resolves when usable; otherwise
   * rejects with the KoanError a real operation would raise (STORE_UNAVAILABLE or CONFIG_INVALID).
   */
  async check(): Promise<void> {
    try {
      await this.backend.probe(this.root);
    } catch (e) {
      const failure = this.backend.classify(e);
      // A 404 on listing can only be the bucket's.
      throw storeError(this.options.where, "check", failure.kind === "not-found" ? { ...failure, kind: "bucket-missing" } : failure, e);
    }
    this.bucketSeen = true;
  }

  async put(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<BlobRef> {
    if (source instanceof Uint8Array) {
      const hash = createHash("sha256").update(source).digest("hex");
      if (!(await this.exists(hash))) await this.upload(hash, { bytes: source });
      return { hash, size: source.byteLength };
    }
    // The source's own failure propagates unchanged; nothing has been sent yet.
    const staged = await this.staging.stage(source);
    try {
      if (!(await this.exists(staged.hash))) await this.upload(staged.hash, { path: staged.path, size: staged.size });
      return { hash: staged.hash, size: staged.size };
    } finally {
      await rm(staged.path, { force: true });
    }
  }

  private async upload(hash: string, body: Parameters<ObjectBackend["upload"]>[1]): Promise<void> {
    const key = this.keyOf(hash);
    try {
      await this.backend.upload(key, body);
      this.bucketSeen = true;
    } catch (e) {
      // A create-only write lost a race with a writer of the same content: the blob is there, complete.
      if (this.backend.classify(e).kind === "exists" && (await this.backend.head(key).catch(() => undefined))) return;
      throw this.fail("put", e);
    }
  }

  async get(hash: string, options: { verify?: boolean } = {}): Promise<Readable> {
    const key = this.keyOf(hash);
    let body: Readable;
    try {
      body = await this.backend.download(key);
    } catch (e) {
      if (await this.isAbsent(e)) throw new KoanError("ARTIFACT_NOT_FOUND", `blob ${hash} is not in the artifact store ${this.uri}`);
      throw this.fail("get", e);
    }
    const out = options.verify ? verifyingStream(hash, this.uri) : new PassThrough({ highWaterMark: 1 << 20 });
    body.on("error", (e) => out.destroy(e instanceof KoanError ? e : this.fail("get", e)));
    out.on("close", () => {
      if (!body.destroyed) body.destroy();
    });
    body.pipe(out);
    return out;
  }

  async stat(hash: string): Promise<{ size: number } | undefined> {
    if (!isBlobHash(hash)) return undefined;
    try {
      const s = await this.backend.head(this.keyOf(hash));
      if (s) {
        this.bucketSeen = true;
        return s;
      }
    } catch (e) {
      if (!(await this.isAbsent(e))) throw this.fail("stat", e);
      return undefined;
    }
    await this.ensureBucket();
    return undefined;
  }

  async exists(hash: string): Promise<boolean> {
    return (await this.stat(hash)) !== undefined;
  }

  async *list(): AsyncIterable<BlobRef> {
    const iterator = this.backend.list(this.root, this.pageSize)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<{ key: string; size: number }>;
      try {
        next = await iterator.next();
      } catch (e) {
        throw this.fail("list", e);
      }
      if (next.done) return;
      const rest = next.value.key.slice(this.root.length);
      const m = /^([0-9a-f]{2})\/([0-9a-f]{64})$/.exec(rest);
      if (next.value.key.startsWith(this.root) && m && m[2]?.startsWith(m[1] as string)) yield { hash: m[2], size: next.value.size };
    }
  }

  async delete(hash: string): Promise<void> {
    if (!isBlobHash(hash)) return;
    try {
      await this.backend.remove(this.keyOf(hash));
    } catch (e) {
      if (!(await this.isAbsent(e))) throw this.fail("delete", e);
    }
  }

  async close(): Promise<void> {
    await this.staging.close();
    await this.backend.close();
  }

  /** True when `e` says the object is absent (and the bucket exists: otherwise this throws CONFIG_INVALID). */
  private async isAbsent(e: unknown): Promise<boolean> {
    const kind = this.backend.classify(e).kind;
    if (kind !== "not-found") return false;
    await this.ensureBucket();
    return true;
  }

  /** Some services answer 404 alike for a missing object and a missing bucket; ask once which it is. */
  private async ensureBucket(): Promise<void> {
    if (!this.bucketSeen) await this.check();
  }

  private fail(operation: string, e: unknown): KoanError {
    if (e instanceof KoanError) return e;
    return storeError(this.options.where, operation, this.backend.classify(e), e);
  }
}
