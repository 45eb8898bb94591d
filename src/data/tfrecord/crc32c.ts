/**
 * CRC-32C (Castagnoli), the checksum of the TFRecord format, and TFRecord's "masked" form of it.
 *
 * The implementation is table driven with slicing-by-8 (eight 256-entry tables, 8 KiB): it consumes eight bytes
 * per step, which makes checking every record of a file cheap next to reading it.
 * @module
 */

/** The reflected CRC-32C polynomial. */
const POLYNOMIAL = 0x82f63b78;

/** Added to the rotated CRC by {@link maskCrc}, as in TensorFlow's `crc32c::Mask`. */
const MASK_DELTA = 0xa282ead8;

/** Slicing-by-8 tables: `TABLES[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes. */
const TABLES = buildTables();
const T0 = TABLES.subarray(0, 256);
const T1 = TABLES.subarray(256, 512);
const T2 = TABLES.subarray(512, 768);
const T3 = TABLES.subarray(768, 1024);
const T4 = TABLES.subarray(1024, 1280);
const T5 = TABLES.subarray(1280, 1536);
const T6 = TABLES.subarray(1536, 1792);
const T7 = TABLES.subarray(1792, 2048);

function buildTables(): Uint32Array {
  const tables = new Uint32Array(8 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1;
    tables[b] = c >>> 0;
  }
  for (let b = 0; b < 256; b++) {
    let c = tables[b];
    for (let k = 1; k < 8; k++) {
      c = tables[c & 0xff] ^ (c >>> 8);
      tables[k * 256 + b] = c >>> 0;
    }
  }
  return tables;
}

/**
 * The CRC-32C of `data[start, end)` as an unsigned 32-bit integer.
 *
 * `start`/`end` let callers checksum part of a larger buffer without creating a view.
 * @example
 * ```ts
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 * ```
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  let i = start;
  const stop8 = start + ((end - start) & ~7);
  while (i < stop8) {
    const low = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ crc;
    crc =
      T7[low & 0xff] ^
      T6[(low >>> 8) & 0xff] ^
      T5[(low >>> 16) & 0xff] ^
      T4[low >>> 24] ^
      T3[data[i + 4]] ^
      T2[data[i + 5]] ^
      T1[data[i + 6]] ^
      T0[data[i + 7]];
    i += 8;
  }
  while (i < end) crc = T0[(crc ^ data[i++]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
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
