/**
 * Protobuf wire-format writing: size functions and position-based writers for exact-size encoding (used by
 * the Example encoder), and a small growable {@link WireWriter} for messages where speed matters less.
 * @module
 */
import { WireType } from "./wire-reader.js";

const utf8 = new TextEncoder();

/** Bytes of `value` (uint32) as a varint. */
export function varint32Size(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Bytes of the 64-bit value `hi:lo` (both uint32) as a varint. */
export function varint64Size(lo: number, hi: number): number {
  const bits = hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo);
  return bits === 0 ? 1 : ((bits + 6) / 7) | 0;
}

/** Writes `value` (uint32) as a varint at `pos`; returns the position after it. */
export function writeVarint32(buf: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v > 0x7f) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Writes the 64-bit value `hi:lo` (both uint32) as a varint at `pos`; returns the position after it. */
export function writeVarint64(buf: Uint8Array, pos: number, lo: number, hi: number): number {
  let l = lo >>> 0;
  let h = hi >>> 0;
  while (h !== 0) {
    buf[pos++] = (l & 0x7f) | 0x80;
    l = ((l >>> 7) | (h << 25)) >>> 0;
    h >>>= 7;
  }
  while (l > 0x7f) {
    buf[pos++] = (l & 0x7f) | 0x80;
    l >>>= 7;
  }
  buf[pos++] = l;
  return pos;
}

/** The tag of field `field` with wire type `wireType`. */
export function tagOf(field: number, wireType: number): number {
  return ((field << 3) | wireType) >>> 0;
}

/** `[lo, hi]` (uint32 halves) of a signed 64-bit integer given as a number (must be an integer) or bigint. */
export function int64Halves(value: number | bigint): [number, number] {
  const big = BigInt.asUintN(64, BigInt(value));
  return [Number(big & 0xffffffffn), Number(big >> 32n)];
}

/**
 * A growable protobuf writer. Embedded messages are written by encoding them with their own writer and adding
 * the result with {@link WireWriter.bytes}.
 * @example
 * ```ts
 * const w = new WireWriter();
 * w.string(1, "loss").float(2, 0.5);
 * const bytes = w.finish();
 * ```
 */
export class WireWriter {
  #buf = new Uint8Array(64);
  #view = new DataView(this.#buf.buffer);
  #pos = 0;

  /** Writes a tag. */
  tag(field: number, wireType: number): this {
    this.#reserve(5);
    this.#pos = writeVarint32(this.#buf, this.#pos, tagOf(field, wireType));
    return this;
  }

  /** Writes a uint32/enum/bool varint field. */
  uint32(field: number, value: number): this {
    this.tag(field, WireType.VARINT);
    this.#reserve(5);
    this.#pos = writeVarint32(this.#buf, this.#pos, value);
    return this;
  }

  /** Writes an int64 varint field (negative values take 10 bytes, as in protobuf). */
  int64(field: number, value: number | bigint): this {
    const [lo, hi] = int64Halves(value);
    this.tag(field, WireType.VARINT);
    this.#reserve(10);
    this.#pos = writeVarint64(this.#buf, this.#pos, lo, hi);
    return this;
  }

  /** Writes a float (fixed32) field. */
  float(field: number, value: number): this {
    this.tag(field, WireType.I32);
    this.#reserve(4);
    this.#view.setFloat32(this.#pos, value, true);
    this.#pos += 4;
    return this;
  }

  /** Writes a double (fixed64) field. */
  double(field: number, value: number): this {
    this.tag(field, WireType.I64);
    this.#reserve(8);
    this.#view.setFloat64(this.#pos, value, true);
    this.#pos += 8;
    return this;
  }

  /** Writes a LEN field holding `data` (bytes, or an encoded embedded message). */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WireType.LEN);
    this.#reserve(5 + data.length);
    this.#pos = writeVarint32(this.#buf, this.#pos, data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
    return this;
  }

  /** Writes a string field as UTF-8. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** Writes a packed repeated float field (nothing when empty, as protobuf does). */
  packedFloats(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    this.tag(field, WireType.LEN);
    this.#reserve(5 + 4 * values.length);
    this.#pos = writeVarint32(this.#buf, this.#pos, 4 * values.length);
    for (let i = 0; i < values.length; i++) {
      this.#view.setFloat32(this.#pos, values[i], true);
      this.#pos += 4;
    }
    return this;
  }

  /** Writes a packed repeated double field (nothing when empty). */
  packedDoubles(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    this.tag(field, WireType.LEN);
    this.#reserve(5 + 8 * values.length);
    this.#pos = writeVarint32(this.#buf, this.#pos, 8 * values.length);
    for (let i = 0; i < values.length; i++) {
      this.#view.setFloat64(this.#pos, values[i], true);
      this.#pos += 8;
    }
    return this;
  }

  /** The bytes written (a copy; the writer may be reused). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  #reserve(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }
}
