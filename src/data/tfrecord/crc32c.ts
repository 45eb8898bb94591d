/**
 * CRC-32C (Castagnoli), the checksum of the TFRecord format, and TFRecord's "masked" form of it.
 *
 * The implementation is table driven with slicing-by-16 (sixteen 256-entry tables, 16 KiB): it consumes sixteen
 * bytes per step, which makes checking every record of a file cheap next to reading it.
 * @module
 */

/** The reflected CRC-32C polynomial. */
const POLYNOMIAL = 0x82f63b78;

/** Added to the rotated CRC by {@link maskCrc}, as in TensorFlow's `crc32c::Mask`. */
const MASK_DELTA = 0xa282ead8;

/** Slicing-by-16 tables: `TABLES[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes. */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const tables = new Int32Array(16 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    tables[b] = c;
  }
  for (let b = 0; b < 256; b++) {
    let c = tables[b] as number;
    for (let k = 1; k < 16; k++) {
      c = (tables[c & 0xff] as number) ^ (c >>> 8);
      tables[k * 256 + b] = c;
    }
  }
  return tables;
}

/** A DataView of the buffer last checksummed (data is usually a view into the same reused buffer). */
let viewBuffer: ArrayBufferLike | undefined;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/**
 * CRC-32C of `data[start, end)`.
 * @example
 * crc32c(new TextEncoder().encode("123456789")) === 0xe3069283;
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  const T = TABLES;
  if (data.buffer !== viewBuffer) {
    viewBuffer = data.buffer;
    view = new DataView(data.buffer);
  }
  const dv = view;
  const base = data.byteOffset;
  let crc = -1;
  let i = start;
  const stop16 = start + ((end - start) & ~15);
  // Sixteen bytes per step, read as four little-endian words (DataView reads compile to plain loads).
  while (i < stop16) {
    const a = dv.getInt32(base + i, true) ^ crc;
    const b = dv.getInt32(base + i + 4, true);
    const c = dv.getInt32(base + i + 8, true);
    const d = dv.getInt32(base + i + 12, true);
    crc =
      (T[3840 + (a & 0xff)] as number) ^
      (T[3584 + ((a >>> 8) & 0xff)] as number) ^
      (T[3328 + ((a >>> 16) & 0xff)] as number) ^
      (T[3072 + (a >>> 24)] as number) ^
      (T[2816 + (b & 0xff)] as number) ^
      (T[2560 + ((b >>> 8) & 0xff)] as number) ^
      (T[2304 + ((b >>> 16) & 0xff)] as number) ^
      (T[2048 + (b >>> 24)] as number) ^
      (T[1792 + (c & 0xff)] as number) ^
      (T[1536 + ((c >>> 8) & 0xff)] as number) ^
      (T[1280 + ((c >>> 16) & 0xff)] as number) ^
      (T[1024 + (c >>> 24)] as number) ^
      (T[768 + (d & 0xff)] as number) ^
      (T[512 + ((d >>> 8) & 0xff)] as number) ^
      (T[256 + ((d >>> 16) & 0xff)] as number) ^
      (T[d >>> 24] as number);
    i += 16;
  }
  while (i < end) crc = (T[(crc ^ (data[i++] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * TFRecord's masked CRC: `((crc >>> 15) | (crc << 17)) + 0xa282ead8` as uint32. Masking keeps a CRC of data that
 * itself contains CRCs from being trivially predictable.
 * @example
 * ```ts
 * unmaskCrc(maskCrc(0x12345678)) === 0x12345678; // true
 * ```
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** The inverse of {@link maskCrc}. */
export function unmaskCrc(masked: number): number {
  const rotated = (masked - MASK_DELTA) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}

/** `maskCrc(crc32c(data, start, end))`: the checksum as stored in a TFRecord file. */
export function maskedCrc32c(data: Uint8Array, start = 0, end = data.length): number {
  return maskCrc(crc32c(data, start, end));
}
