/**
 * The TFRecord framing of one record:
 *
 * | bytes | content |
 * |---|---|
 * | 8 | data length, uint64 little-endian |
 * | 4 | masked CRC-32C of those 8 length bytes, uint32 little-endian |
 * | n | data |
 * | 4 | masked CRC-32C of the data, uint32 little-endian |
 * @module
 */
import { maskedCrc32c } from "./crc32c.js";

/** Bytes before the data: length (8) and its masked CRC (4). */
export const HEADER_BYTES = 12;
/** Bytes after the data: its masked CRC. */
export const FOOTER_BYTES = 4;

/** The framed size of a record of `dataBytes` bytes. */
export function framedSize(dataBytes: number): number {
  return HEADER_BYTES + dataBytes + FOOTER_BYTES;
}

/** Reads a little-endian uint32 at `pos`. */
export function readUint32LE(buf: Uint8Array, pos: number): number {
  return (buf[pos] | (buf[pos + 1] << 8) | (buf[pos + 2] << 16) | (buf[pos + 3] << 24)) >>> 0;
}

/** Writes `value` as a little-endian uint32 at `pos`. */
export function writeUint32LE(buf: Uint8Array, pos: number, value: number): void {
  buf[pos] = value & 0xff;
  buf[pos + 1] = (value >>> 8) & 0xff;
  buf[pos + 2] = (value >>> 16) & 0xff;
  buf[pos + 3] = (value >>> 24) & 0xff;
}

/**
 * Writes the framed form of `data` into `target` at `pos` (which must have {@link framedSize} bytes free) and
 * returns the position after it. Allocates nothing.
 * @example
 * ```ts
 * const out = new Uint8Array(framedSize(data.length));
 * writeFramedRecord(out, 0, data);
 * ```
 */
export function writeFramedRecord(target: Uint8Array, pos: number, data: Uint8Array): number {
  const n = data.length;
  writeUint32LE(target, pos, n >>> 0);
  writeUint32LE(target, pos + 4, Math.floor(n / 0x1_0000_0000));
  writeUint32LE(target, pos + 8, maskedCrc32c(target, pos, pos + 8));
  target.set(data, pos + HEADER_BYTES);
  const end = pos + HEADER_BYTES + n;
  writeUint32LE(target, end, maskedCrc32c(data));
  return end + FOOTER_BYTES;
}
