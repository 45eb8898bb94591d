/**
 * Compression of TFRecord files: none, or gzip (TensorFlow's `"GZIP"`, what TFX writes as `*.gz`).
 * @module
 */
import { maskedCrc32c } from "./crc32c.js";
import { HEADER_BYTES, readUint32LE } from "./framing.js";

/** How a TFRecord file is compressed. */
export type TFRecordCompression = "none" | "gzip";

/** Whether `path`'s name says gzip (`.gz`): the default compression when writing. */
export function compressionFromName(path: string): TFRecordCompression {
  return path.endsWith(".gz") ? "gzip" : "none";
}

/** True when `bytes` start with the gzip magic (1f 8b) and the deflate method byte (08). */
export function hasGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0x1f && bytes[1] === 0x8b && bytes[2] === 0x08;
}

/**
 * Guesses the compression of a file from its first bytes (at least {@link HEADER_BYTES} when the file has them).
 *
 * A file whose first 12 bytes are a valid TFRecord header is uncompressed, even if it happens to start with the
 * gzip magic (a first record of a certain length does); otherwise the gzip magic means gzip. Anything else is
 * reported as `"none"`, and reading then fails with a precise error.
 */
export function detectCompression(head: Uint8Array): TFRecordCompression {
  if (head.length >= HEADER_BYTES && maskedCrc32c(head, 0, 8) === readUint32LE(head, 8)) return "none";
  return hasGzipMagic(head) ? "gzip" : "none";
}
