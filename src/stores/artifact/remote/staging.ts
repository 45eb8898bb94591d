/**
 * Staging: a streamed blob is written to a local temp file while it is hashed, so its key (the SHA-256) is known
 * before anything is sent, nothing is sent for content already stored, and a source that fails half-way never
 * reaches the service. Memory stays bounded by the stream's buffers.
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

/** A complete local copy of a stream. */
export interface StagedFile {
  readonly path: string;
  readonly hash: string;
  readonly size: number;
}

/** A private temp folder for one store's staged uploads, created on first use and removed on close. */
export class StagingArea {
  private dir: Promise<string> | undefined;

  constructor(private readonly parent: string = tmpdir()) {}

  /** Write `source` to a new temp file, hashing it on the way. The file is removed if the source fails. */
  async stage(source: AsyncIterable<Uint8Array>): Promise<StagedFile> {
    this.dir ??= mkdtemp(join(this.parent, "koan-staging-"));
    const path = join(await this.dir, `${randomBytes(8).toString("hex")}.part`);
    const h = createHash("sha256");
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const c of chunks) {
            h.update(c);
            size += c.byteLength;
            yield c;
          }
        },
        createWriteStream(path, { flags: "wx", mode: 0o600 }),
      );
    } catch (e) {
      await rm(path, { force: true });
      throw e;
    }
    return { path, hash: h.digest("hex"), size };
  }

  async close(): Promise<void> {
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(await dir.catch(() => ""), { recursive: true, force: true }).catch(() => undefined);
  }
}
