/**
 * Writes records across a fixed number of TFRecord shard files, round-robin: record `i` goes to shard
 * `i % shardCount`, so the same records in the same order always give the same files.
 * @module
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../../core/errors.js";
import type { TFRecordCompression } from "./compression.js";
import { shardFileName } from "./shards.js";
import { TFRecordWriter } from "./writer.js";

/** Options of {@link ShardedTFRecordWriter.open}. */
export interface ShardedTFRecordWriteOptions {
  /** Folder of the shards (created if needed). */
  directory: string;
  /** Number of shards (files), at least 1. Every shard is written, possibly empty. */
  shardCount: number;
  /** File name prefix (default `"data"`). */
  prefix?: string;
  /** Default `"gzip"`. */
  compression?: TFRecordCompression;
  /** Default `.tfrecord.gz` for gzip, `.tfrecord` otherwise. */
  suffix?: string;
  /** gzip level 0-9. */
  gzipLevel?: number;
  /** Write buffer size of each shard (default 1 MiB). */
  bufferBytes?: number;
}

/**
 * See the module comment. Each shard is written atomically; `close()` publishes all of them (or, failing, none),
 * `abort()` none.
 * @example
 * ```ts
 * const writer = await ShardedTFRecordWriter.open({ directory: "out/Split-train", shardCount: 8 });
 * for (const record of records) await writer.write(record);
 * const paths = await writer.close(); // out/Split-train/data-00000-of-00008.tfrecord.gz, ...
 * ```
 */
export class ShardedTFRecordWriter {
  /** The final paths of the shards, in index order. */
  readonly paths: readonly string[];
  readonly #writers: readonly TFRecordWriter[];
  #next = 0;

  private constructor(writers: TFRecordWriter[]) {
    this.#writers = writers;
    this.paths = writers.map((w) => w.path);
  }

  /** The final paths of the shards these options describe, in index order. */
  static pathsOf(options: ShardedTFRecordWriteOptions): string[] {
    const { directory, shardCount } = options;
    if (!(Number.isInteger(shardCount) && shardCount >= 1)) {
      throw new KoanError("USAGE", `shardCount must be a positive integer, got ${shardCount}`);
    }
    const suffix = options.suffix ?? ((options.compression ?? "gzip") === "gzip" ? ".tfrecord.gz" : ".tfrecord");
    return Array.from({ length: shardCount }, (_, i) => join(directory, shardFileName(options.prefix ?? "data", i, shardCount, suffix)));
  }

  /** Opens all shards. */
  static async open(options: ShardedTFRecordWriteOptions): Promise<ShardedTFRecordWriter> {
    const compression = options.compression ?? "gzip";
    const writers: TFRecordWriter[] = [];
    try {
      for (const path of ShardedTFRecordWriter.pathsOf(options)) {
        writers.push(
          await TFRecordWriter.open(path, { compression, gzipLevel: options.gzipLevel, bufferBytes: options.bufferBytes }),
        );
      }
    } catch (e) {
      await Promise.all(writers.map((w) => w.abort()));
      throw e;
    }
    return new ShardedTFRecordWriter(writers);
  }

  /** Records written so far, over all shards. */
  get recordCount(): number {
    return this.#next;
  }

  /** Appends one record to the next shard in turn. */
  async write(record: Uint8Array): Promise<void> {
    const writer = this.#writers[this.#next % this.#writers.length];
    this.#next++;
    await writer.write(record);
  }

  /**
   * Appends one record to the next shard in turn without a promise per record; returns true when a shard is
   * behind (await {@link drained} then).
   */
  append(record: Uint8Array): boolean {
    const writer = this.#writers[this.#next % this.#writers.length] as TFRecordWriter;
    this.#next++;
    return writer.append(record);
  }

  /** Resolves when no shard is behind. */
  /**
   * Append the next `rows` records, framed per shard by `framedRows(shard, first, step)`: the records of rows
   * `first, first + step, ...` (below `rows`) of the chunk, which go to `shard`, as
   * `ExampleChunkEncoder.encodeFramed` returns them (read before the next call). Records go to the shards they
   * would go to one by one. Returns true when some shard's output is behind.
   */
  appendChunk(rows: number, framedRows: (shard: number, first: number, step: number) => Uint8Array): boolean {
    const writers = this.#writers;
    const count = writers.length;
    const base = this.#next;
    let behind = false;
    for (let s = 0; s < count; s++) {
      const first = (((s - base) % count) + count) % count;
      if (first >= rows) continue;
      const records = Math.floor((rows - 1 - first) / count) + 1;
      if ((writers[s] as TFRecordWriter).appendFramed(framedRows(s, first, count), records)) behind = true;
    }
    this.#next += rows;
    return behind;
  }

  async drained(): Promise<void> {
    await Promise.all(this.#writers.map((w) => w.drained()));
  }

  /**
   * Closes (publishes) every shard and returns their paths; if one fails, removes them all and rethrows (the
   * first failure, in shard order). The shards close side by side: each one's last compression, fsync and rename
   * wait on the disk and the thread pool, not on each other.
   */
  async close(): Promise<readonly string[]> {
    const results = await Promise.allSettled(this.#writers.map((w) => w.close()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      await this.abort();
      await Promise.all(this.paths.filter((_, i) => results[i]?.status === "fulfilled").map((path) => rm(path, { force: true })));
      throw failed.reason;
    }
    return this.paths;
  }

  /** Removes every shard not yet published. */
  async abort(): Promise<void> {
    await Promise.all(this.#writers.map((w) => w.abort()));
  }
}
