/**
 * The `local` artifact store: blobs in a folder, `sha256/ab/abcdef…`, written to `tmp/` and renamed into place
 * (atomic on one file system), fsynced, and made read-only. Files handed over (`adoptFile`) are hard-linked in
 * instead of copied when they are on the store's file system.
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, link, mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Readable } from "node:stream";
import { pipeline as pipe } from "node:stream/promises";
import { KoanError } from "../../../core/errors.js";
import { isBlobHash, type ArtifactStore, type BlobRef } from "../types.js";
import { verifyingStream } from "../verify.js";

/** Config of the local flavor. */
export interface LocalArtifactStoreConfig {
  /** Absolute folder. */
  path: string;
}

export class LocalArtifactStore implements ArtifactStore {
  readonly flavor = "local";
  readonly uri: string;
  private readonly blobs: string;
  private readonly tmp: string;

  private constructor(readonly root: string) {
    this.uri = pathToFileURL(root).href;
    this.blobs = join(root, "sha256");
    this.tmp = join(root, "tmp");
  }

  static async open(config: LocalArtifactStoreConfig): Promise<LocalArtifactStore> {
    const s = new LocalArtifactStore(config.path);
    await mkdir(s.blobs, { recursive: true });
    await mkdir(s.tmp, { recursive: true });
    await s.sweepTemp();
    return s;
  }

  private pathOf(hash: string): string {
    if (!isBlobHash(hash)) throw new KoanError("ARTIFACT_NOT_FOUND", `"${hash}" is not a blob hash`);
    return join(this.blobs, hash.slice(0, 2), hash);
  }

  async put(source: Uint8Array | AsyncIterable<Uint8Array>): Promise<BlobRef> {
    if (source instanceof Uint8Array) {
      // Small buffers: the hash is known up front, so content already stored costs one stat.
      const hash = createHash("sha256").update(source).digest("hex");
      if (await this.exists(hash)) return { hash, size: source.byteLength };
    }
    const tmp = join(this.tmp, `${randomBytes(8).toString("hex")}.part`);
    const h = createHash("sha256");
    let size = 0;
    try {
      if (source instanceof Uint8Array) {
        h.update(source);
        size = source.byteLength;
        const fh = await open(tmp, "wx", 0o644);
        try {
          await fh.writeFile(source);
          await fh.sync();
        } finally {
          await fh.close();
        }
      } else {
        const out = createWriteStream(tmp, { flags: "wx" });
        await pipe(
          source,
          async function* (chunks: AsyncIterable<Uint8Array>) {
            for await (const c of chunks) {
              h.update(c);
              size += c.byteLength;
              yield c;
            }
          },
          out,
        );
        const fh = await open(tmp, "r+");
        await fh.sync().finally(() => fh.close());
      }
      const hash = h.digest("hex");
      const final = this.pathOf(hash);
      const existing = await stat(final).catch(() => undefined);
      if (existing) {
        await unlink(tmp);
      } else {
        await mkdir(join(this.blobs, hash.slice(0, 2)), { recursive: true });
        await chmod(tmp, 0o444);
        await rename(tmp, final);
      }
      return { hash, size };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async adoptFile(path: string): Promise<BlobRef> {
    const h = createHash("sha256");
    let size = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      h.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    const hash = h.digest("hex");
    if (await this.exists(hash)) return { hash, size };
    const tmp = join(this.tmp, `${randomBytes(8).toString("hex")}.part`);
    try {
      await link(path, tmp);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Another file system, or one without hard links: copy.
      if (code === "EXDEV" || code === "EPERM" || code === "EMLINK" || code === "ENOTSUP" || code === "EOPNOTSUPP") return this.put(createReadStream(path, { highWaterMark: 1 << 20 }));
      throw e;
    }
    try {
      const fh = await open(tmp, "r");
      await fh.sync().finally(() => fh.close());
      await mkdir(join(this.blobs, hash.slice(0, 2)), { recursive: true });
      await chmod(tmp, 0o444);
      await rename(tmp, this.pathOf(hash));
      return { hash, size };
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(hash: string, options: { verify?: boolean } = {}): Promise<Readable> {
    const path = this.pathOf(hash);
    if (!(await stat(path).catch(() => undefined))) throw new KoanError("ARTIFACT_NOT_FOUND", `blob ${hash} is not in the artifact store ${this.uri}`);
    const stream = createReadStream(path, { highWaterMark: 1 << 20 });
    return options.verify ? stream.pipe(verifyingStream(hash, this.uri)) : stream;
  }

  async stat(hash: string): Promise<{ size: number } | undefined> {
    if (!isBlobHash(hash)) return undefined;
    const s = await stat(this.pathOf(hash)).catch(() => undefined);
    return s ? { size: s.size } : undefined;
  }

  async exists(hash: string): Promise<boolean> {
    return (await this.stat(hash)) !== undefined;
  }

  async *list(): AsyncIterable<BlobRef> {
    for (const prefix of (await readdir(this.blobs)).sort()) {
      for (const name of (await readdir(join(this.blobs, prefix)).catch(() => [] as string[])).sort()) {
        if (!isBlobHash(name)) continue;
        const s = await stat(join(this.blobs, prefix, name)).catch(() => undefined);
        if (s) yield { hash: name, size: s.size };
      }
    }
  }

  async delete(hash: string): Promise<void> {
    if (!isBlobHash(hash)) return;
    await rm(this.pathOf(hash), { force: true });
  }

  localPath(hash: string): string | undefined {
    return isBlobHash(hash) ? this.pathOf(hash) : undefined;
  }

  /** Remove `.part` files older than `olderThanMs` (left by killed writers). */
  async sweepTemp(olderThanMs = 3_600_000): Promise<number> {
    let n = 0;
    const now = Date.now();
    for (const name of await readdir(this.tmp)) {
      const s = await stat(join(this.tmp, name)).catch(() => undefined);
      if (s && now - s.mtimeMs > olderThanMs) {
        await rm(join(this.tmp, name), { force: true });
        n++;
      }
    }
    return n;
  }

  async close(): Promise<void> {}
}
