/**
 * Streaming TFRecord reader: an async iterable of the records of one file, uncompressed or gzip, read in large
 * chunks with memory bounded by one chunk plus the largest record.
 * @module
 */
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import { createGunzip } from "node:zlib";
import { KoanError, messageOf } from "../../core/errors.js";
import { ChunkQueue } from "./chunk-queue.js";
import { detectCompression, hasGzipMagic, type TFRecordCompression } from "./compression.js";
import { maskedCrc32c } from "./crc32c.js";
import { formatError } from "./errors.js";
import { FOOTER_BYTES, framedSize, HEADER_BYTES, readUint32LE } from "./framing.js";

/** Options of {@link readTFRecords}. */
export interface TFRecordReadOptions {
  /**
   * `"auto"` (default) detects gzip by its magic bytes (a file starting with a valid TFRecord header is always
   * read as uncompressed). `"none"` and `"gzip"` force one.
   */
  compression?: TFRecordCompression | "auto";
  /** Check each record's data CRC (default `true`). The length CRC is always checked. */
  verifyDataCrc?: boolean;
  /** Larger declared record lengths are errors (default {@link DEFAULT_MAX_RECORD_BYTES}). */
  maxRecordBytes?: number;
  /** Size of file reads (default 1 MiB). */
  readChunkBytes?: number;
}

/** Default {@link TFRecordReadOptions.maxRecordBytes}: 1 GiB. */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 30;

const DEFAULT_READ_CHUNK_BYTES = 1 << 20;
const GUNZIP_CHUNK_BYTES = 256 << 10;

/**
 * The records of one TFRecord file. Iterate it once with `for await`; while iterating, {@link recordOffset} and
 * {@link recordIndex} locate the record last yielded (for error messages of the caller's own decoding).
 *
 * Yielded arrays are views into the read buffers (no copy per record); they are never reused or overwritten,
 * but `slice()` one if you keep a few records of a large file and want the rest of its chunk freed.
 *
 * Every format problem is a `FORMAT_INVALID` {@link KoanError} whose message names the file and the byte offset
 * of the record (counted in the uncompressed stream for gzip files): a non-TFRecord file, a bad length CRC, a
 * bad data CRC, a truncated record, a corrupt or truncated gzip stream. A missing file is `NOT_FOUND`; other
 * I/O failures are Node's own errors (`EACCES`, `EISDIR`, ...).
 */
export class TFRecordReader implements AsyncIterable<Uint8Array> {
  /** The file being read. */
  readonly path: string;
  readonly #compression: TFRecordCompression | "auto";
  readonly #verifyDataCrc: boolean;
  readonly #maxRecordBytes: number;
  readonly #readChunkBytes: number;
  #detected: TFRecordCompression | undefined;
  #started = false;
  #offset = -1;
  #index = -1;

  /** Prefer {@link readTFRecords}. */
  constructor(path: string, options: TFRecordReadOptions = {}) {
    this.path = path;
    this.#compression = options.compression ?? "auto";
    this.#verifyDataCrc = options.verifyDataCrc ?? true;
    this.#maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
    this.#readChunkBytes = options.readChunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
  }

  /** Byte offset of the record last yielded (in the uncompressed stream); -1 before the first. */
  get recordOffset(): number {
    return this.#offset;
  }

  /** 0-based index of the record last yielded; -1 before the first. */
  get recordIndex(): number {
    return this.#index;
  }

  /** The compression in use, known once iteration has started. */
  get compression(): TFRecordCompression | undefined {
    return this.#detected;
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#started) {
      throw new KoanError("USAGE", `the TFRecordReader of ${this.path} can be iterated only once`, {
        hint: "call readTFRecords() again to read the file again",
      });
    }
    this.#started = true;
    return this.#records();
  }

  async *#records(): AsyncGenerator<Uint8Array, void, undefined> {
    const source = await this.#openSource();
    const queue = new ChunkQueue();
    let offset = 0;
    let index = 0;
    let dataBytes = -1; // -1 while the next header has not been read
    try {
      for await (const chunk of source as AsyncIterable<Uint8Array>) {
        queue.push(chunk);
        for (;;) {
          if (dataBytes < 0) {
            if (queue.length < HEADER_BYTES) break;
            dataBytes = this.#checkHeader(queue.take(HEADER_BYTES), offset, index);
          }
          if (queue.length < dataBytes + FOOTER_BYTES) break;
          const body = queue.take(dataBytes + FOOTER_BYTES);
          if (this.#verifyDataCrc) this.#checkData(body, dataBytes, offset, index);
          this.#offset = offset;
          this.#index = index;
          yield body.subarray(0, dataBytes);
          offset += framedSize(dataBytes);
          index++;
          dataBytes = -1;
        }
      }
    } catch (e) {
      throw this.#wrapStreamError(e, offset, index);
    }
    if (dataBytes >= 0) {
      throw formatError(
        `truncated record at byte offset ${offset}${this.#streamNote()}: it declares ${dataBytes} data bytes, ` +
          `but only ${queue.length} of the ${dataBytes + FOOTER_BYTES} bytes after its header are present`,
        { file: this.path, offset, record: index },
      );
    }
    if (queue.length > 0) {
      throw formatError(
        `truncated record header at byte offset ${offset}${this.#streamNote()}: ` +
          `${queue.length} of ${HEADER_BYTES} bytes present`,
        { file: this.path, offset, record: index },
      );
    }
  }

  async #openSource(): Promise<Readable> {
    let handle: FileHandle;
    try {
      handle = await open(this.path, "r");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      throw new KoanError("NOT_FOUND", `TFRecord file not found: ${this.path}`, { cause: e, details: { file: this.path } });
    }
    try {
      let compression = this.#compression;
      if (compression === "auto") {
        const head = new Uint8Array(HEADER_BYTES);
        const { bytesRead } = await handle.read(head, 0, HEADER_BYTES, 0);
        compression = detectCompression(head.subarray(0, bytesRead));
      }
      this.#detected = compression;
      const fileStream = handle.createReadStream({ start: 0, highWaterMark: this.#readChunkBytes });
      if (compression === "none") return fileStream;
      const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
      // Errors of either stream surface through `gunzip`, which is what gets iterated.
      pipeline(fileStream, gunzip, () => {});
      return gunzip;
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  #checkHeader(header: Uint8Array, offset: number, index: number): number {
    const where = { file: this.path, offset, record: index };
    const stored = readUint32LE(header, 8);
    const computed = maskedCrc32c(header, 0, 8);
    if (stored !== computed) {
      if (index === 0) {
        const gzipped = this.#detected === "none" && hasGzipMagic(header);
        throw formatError(
          `not a TFRecord file: the first record header (byte offset 0) has a bad length CRC` +
            (gzipped ? " (the file starts with the gzip magic bytes)" : ""),
          where,
          gzipped ? 'read it with compression "gzip" or "auto"' : undefined,
        );
      }
      throw formatError(
        `corrupt record header at byte offset ${offset}${this.#streamNote()} (record ${index}): length CRC mismatch ` +
          `(stored ${hex(stored)}, computed ${hex(computed)})`,
        where,
      );
    }
    const low = readUint32LE(header, 0);
    const high = readUint32LE(header, 4);
    const length = high * 0x1_0000_0000 + low;
    if (length > this.#maxRecordBytes) {
      throw formatError(
        `record at byte offset ${offset} (record ${index}) declares ${length} bytes, more than maxRecordBytes ` +
          `(${this.#maxRecordBytes})`,
        where,
        "raise the maxRecordBytes option if the file really holds records this large",
      );
    }
    return length;
  }

  #checkData(body: Uint8Array, dataBytes: number, offset: number, index: number): void {
    const stored = readUint32LE(body, dataBytes);
    const computed = maskedCrc32c(body, 0, dataBytes);
    if (stored !== computed) {
      throw formatError(
        `corrupt record at byte offset ${offset}${this.#streamNote()} (record ${index}, ${dataBytes} data bytes): ` +
          `data CRC mismatch (stored ${hex(stored)}, computed ${hex(computed)})`,
        { file: this.path, offset, record: index },
      );
    }
  }

  #wrapStreamError(e: unknown, offset: number, index: number): unknown {
    if (e instanceof KoanError) return e;
    const code = (e as NodeJS.ErrnoException).code;
    const where = { file: this.path, offset, record: index };
    if (typeof code === "string" && code.startsWith("Z_")) {
      if (offset === 0 && index === 0 && code === "Z_DATA_ERROR") {
        return formatError(`not a gzip file (zlib: ${messageOf(e)})`, where, 'if it is an uncompressed TFRecord file, read it with compression "none" or "auto"', e);
      }
      return formatError(
        `corrupt or truncated gzip stream in the record at byte offset ${offset} (uncompressed; record ${index}): ${messageOf(e)}`,
        where,
        undefined,
        e,
      );
    }
    return e; // an I/O error: Node's own error, unchanged
  }

  #streamNote(): string {
    return this.#detected === "gzip" ? " of the uncompressed stream" : "";
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}

/**
 * The records of a TFRecord file, streamed.
 * @example
 * ```ts
 * let n = 0;
 * for await (const record of readTFRecords("data/train.tfrecord.gz")) n += record.length;
 * ```
 */
export function readTFRecords(path: string, options?: TFRecordReadOptions): TFRecordReader {
  return new TFRecordReader(path, options);
}
