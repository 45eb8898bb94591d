/**
 * Streaming TFRecord writer: records are framed into large buffers (no allocation per record) that are handed to
 * the file, optionally through gzip. Atomic by default: data goes to a temporary file in the same folder, renamed
 * to the final name by `close()`; `abort()` removes it.
 * @module
 */
import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { createGzip, type ZlibOptions } from "node:zlib";
import { KoanError } from "../../core/errors.js";
import { compressionFromName, type TFRecordCompression } from "./compression.js";
import { framedSize, writeFramedRecord } from "./framing.js";

/** Options of {@link TFRecordWriter.open}. */
export interface TFRecordWriteOptions {
  /** Default: `"gzip"` when the path ends with `.gz`, else `"none"`. */
  compression?: TFRecordCompression;
  /** gzip level 0-9 (default 6, zlib's default). */
  gzipLevel?: number;
  /**
   * Write to a temporary file in the same folder and rename it on `close()` (default `true`), so readers never
   * see a partial file. With `false` the file is written in place (what a live TensorBoard event file needs).
   */
  atomic?: boolean;
  /** Size of the write buffer (default 1 MiB); larger records are written on their own. */
  bufferBytes?: number;
}

const DEFAULT_BUFFER_BYTES = 1 << 20;
const FILE_HIGH_WATER_MARK = 4 << 20;
/**
 * zlib's output chunk and the compressor's buffer. With zlib's default 16 KiB chunks, every 16 KiB of output is a
 * separate thread-pool task that needs the main thread to start the next one, so compression stalled while rows
 * were being encoded and the writer then waited for it (1.4 s of a 1M-row ingest); with 1 MiB chunks one task
 * compresses a whole batch while the main thread goes on.
 */
const GZIP_CHUNK_BYTES = 1 << 20;
/** Batch buffers kept for reuse per writer (more are in flight only while the output is behind). */
const MAX_FREE_BATCHES = 4;
const GZIP_HIGH_WATER_MARK = 4 << 20;
/**
 * zlib's memory level: 9 (its largest; the default is 8) doubles the hash table, 128 KiB more per open file, and
 * compressed the bench's framed Examples about 7% faster at level 1 to slightly fewer bytes (229 MB of records in
 * 1 MiB pieces: 1.72 → 1.61 s, 57.75 → 57.68 MB, medians of 4).
 */
const GZIP_MEM_LEVEL = 9;

type WriterState = "open" | "closing" | "closed" | "aborted";

/**
 * Writes one TFRecord file. Call {@link write} for each record (awaiting it applies backpressure), then
 * {@link close}; on failure call {@link abort}.
 * @example
 * ```ts
 * const writer = await TFRecordWriter.open("out/train.tfrecord.gz"); // gzip, from the name
 * try {
 *   for (const example of examples) await writer.write(encodeExample(example));
 *   await writer.close();
 * } catch (e) {
 *   await writer.abort();
 *   throw e;
 * }
 * ```
 */
export class TFRecordWriter {
  /** The final path of the file. */
  readonly path: string;
  /** The compression being written. */
  readonly compression: TFRecordCompression;
  readonly #target: string;
  readonly #atomic: boolean;
  readonly #file: Writable;
  readonly #head: Writable;
  readonly #done: Promise<void>;
  readonly #bufferBytes: number;
  #failure: unknown = undefined;
  #batch: Uint8Array;
  /** Batch buffers the output is done with, for reuse. */
  readonly #free: Uint8Array[] = [];
  #pos = 0;
  #records = 0;
  #bytes = 0;
  #state: WriterState = "open";

  private constructor(args: {
    path: string;
    target: string;
    atomic: boolean;
    compression: TFRecordCompression;
    gzipLevel: number | undefined;
    bufferBytes: number;
    handle: FileHandle;
  }) {
    this.path = args.path;
    this.#target = args.target;
    this.#atomic = args.atomic;
    this.compression = args.compression;
    this.#bufferBytes = args.bufferBytes;
    this.#batch = new Uint8Array(args.bufferBytes);
    // autoClose with flush: the stream fsyncs and closes the handle when it finishes (or is destroyed).
    this.#file = args.handle.createWriteStream({ autoClose: true, flush: true, highWaterMark: FILE_HIGH_WATER_MARK });
    if (args.compression === "gzip") {
      // zlib streams pass stream options (highWaterMark) on to their Transform; @types/node's ZlibOptions omit them.
      const options: ZlibOptions & { highWaterMark: number } = { chunkSize: GZIP_CHUNK_BYTES, memLevel: GZIP_MEM_LEVEL, highWaterMark: GZIP_HIGH_WATER_MARK, ...(args.gzipLevel === undefined ? {} : { level: args.gzipLevel }) };
      const gzip = createGzip(options);
      this.#head = gzip;
      this.#done = Promise.all([pipeline(gzip, this.#file), finished(this.#file)]).then(() => {});
    } else {
      this.#head = this.#file;
      this.#done = finished(this.#file);
    }
    this.#done.catch((e: unknown) => {
      this.#failure ??= e;
    });
  }

  /** Opens `path` for writing, creating its folder if needed. */
  static async open(path: string, options: TFRecordWriteOptions = {}): Promise<TFRecordWriter> {
    const atomic = options.atomic ?? true;
    const bufferBytes = options.bufferBytes ?? DEFAULT_BUFFER_BYTES;
    if (!(Number.isInteger(bufferBytes) && bufferBytes >= 64)) {
      throw new KoanError("USAGE", `TFRecordWriter bufferBytes must be an integer >= 64, got ${bufferBytes}`);
    }
    const level = options.gzipLevel;
    if (level !== undefined && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
      throw new KoanError("USAGE", `TFRecordWriter gzipLevel must be an integer from 0 to 9, got ${level}`);
    }
    await mkdir(dirname(path), { recursive: true });
    const target = atomic ? join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`) : path;
    const handle = await open(target, atomic ? "wx" : "w");
    return new TFRecordWriter({
      path,
      target,
      atomic,
      compression: options.compression ?? compressionFromName(path),
      gzipLevel: options.gzipLevel,
      bufferBytes,
      handle,
    });
  }

  /** Records written so far. */
  get recordCount(): number {
    return this.#records;
  }

  /** Framed (uncompressed) bytes written so far. */
  get byteCount(): number {
    return this.#bytes;
  }

  /**
   * Appends one record. The bytes are copied before this returns, so `record` may be reused at once. The
   * returned promise resolves immediately unless the file is behind, in which case it waits for it to drain;
   * records are written in call order even when calls are not awaited one by one.
   */
  async write(record: Uint8Array): Promise<void> {
    if (this.append(record)) return this.#drained();
  }

  /**
   * Appends one record like {@link write}, without a promise per record: returns true when the file is behind,
   * and the caller should then await {@link drained} before appending many more (records stay in call order).
   */
  append(record: Uint8Array): boolean {
    this.#assertOpen("write");
    const size = framedSize(record.length);
    if (size > this.#batch.length - this.#pos) {
      this.#emitBatch();
      if (size > this.#batch.length) {
        const framed = new Uint8Array(size);
        writeFramedRecord(framed, 0, record);
        this.#head.write(framed);
        this.#count(size);
        return true;
      }
    }
    this.#pos = writeFramedRecord(this.#batch, this.#pos, record);
    this.#count(size);
    return this.#head.writableNeedDrain;
  }

  /** Resolves when the file is no longer behind (at once when it is not); rejects when the output failed. */
  /**
   * Append records that are already framed (as `writeFramedRecord` frames them), back to back; `records` is how
   * many `framed` holds. The bytes are copied before this returns. Returns true when the output is behind, like
   * {@link append}.
   */
  appendFramed(framed: Uint8Array, records: number): boolean {
    this.#assertOpen("write");
    const size = framed.length;
    if (size > this.#batch.length - this.#pos) {
      this.#emitBatch();
      if (size > this.#batch.length) {
        this.#head.write(framed.slice());
        this.#records += records;
        this.#bytes += size;
        return true;
      }
    }
    this.#batch.set(framed, this.#pos);
    this.#pos += size;
    this.#records += records;
    this.#bytes += size;
    return this.#head.writableNeedDrain;
  }

  async drained(): Promise<void> {
    if (this.#failure !== undefined) throw this.#failure;
    await this.#drained();
  }

  /**
   * Hands buffered records to the OS (uncompressed files) or to the compressor (gzip files: the data becomes
   * readable when the file is closed). Useful for files read while written, such as TensorBoard event files.
   */
  async flush(): Promise<void> {
    this.#assertOpen("flush");
    if (this.#pos === 0) return;
    await new Promise<void>((resolve, reject) => this.#emitBatch((e) => (e ? reject(e) : resolve())));
  }

  /** Writes what is buffered, syncs and closes the file and (when atomic) renames it to {@link path}. */
  async close(): Promise<void> {
    if (this.#failure !== undefined && this.#state === "open") {
      await this.#discard();
      throw this.#failure;
    }
    this.#assertOpen("close");
    this.#state = "closing";
    try {
      this.#emitBatch();
      this.#head.end();
      await this.#done;
      if (this.#atomic) await rename(this.#target, this.path);
      this.#state = "closed";
    } catch (e) {
      await this.#discard();
      throw e;
    }
  }

  /** Stops writing and removes the (temporary, or in-place) file. Does nothing after `close()` succeeded. */
  async abort(): Promise<void> {
    if (this.#state === "closed" || this.#state === "aborted") return;
    await this.#discard();
  }

  async #discard(): Promise<void> {
    this.#state = "aborted";
    this.#head.destroy();
    this.#file.destroy();
    await this.#done.catch(() => {});
    await rm(this.#target, { force: true });
  }

  #count(size: number): void {
    this.#records++;
    this.#bytes += size;
  }

  /**
   * Hand the buffered records to the output; their buffer goes back to the free list once the output has consumed
   * it (a stream's write callback comes after its transform or file write is done with the chunk), so a file of
   * any size cycles through a few buffers instead of allocating one per batch.
   */
  #emitBatch(callback?: (error?: Error | null) => void): void {
    if (this.#pos === 0) return;
    const buffer = this.#batch;
    const chunk = buffer.subarray(0, this.#pos);
    this.#batch = this.#free.pop() ?? new Uint8Array(this.#bufferBytes);
    this.#pos = 0;
    this.#head.write(chunk, (error) => {
      if (!error && this.#free.length < MAX_FREE_BATCHES) this.#free.push(buffer);
      callback?.(error);
    });
  }

  async #drained(): Promise<void> {
    const head = this.#head;
    if (!head.writableNeedDrain) return;
    let onDrain = (): void => {};
    const drained = new Promise<void>((resolve) => {
      onDrain = resolve;
      head.once("drain", onDrain);
    });
    const ended = this.#done.then(() => {
      throw new KoanError("INTERNAL", `the output stream of ${this.path} ended while records were being written`);
    });
    try {
      await Promise.race([drained, ended]);
    } finally {
      head.off("drain", onDrain);
    }
  }

  #assertOpen(what: string): void {
    if (this.#failure !== undefined) throw this.#failure;
    if (this.#state !== "open") {
      throw new KoanError("USAGE", `cannot ${what} TFRecord file ${this.path}: the writer is ${this.#state}`);
    }
  }
}
