/**
 * A minimal reader of the protobuf wire format, enough for `tf.train.Example` and TensorBoard events. Nested
 * messages are read in place with {@link WireReader.enter} / {@link WireReader.leave} (a length limit stack, as in
 * protobuf's CodedInputStream), so decoding allocates nothing but the decoded values.
 * @module
 */
import { formatError } from "../tfrecord/errors.js";

/** Protobuf wire types. */
export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

/** True on little-endian hosts (typed arrays use the host's byte order). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const utf8 = new TextDecoder("utf-8");
const SHORT_STRING = 64;
const STRING_CACHE_LIMIT = 4096;
const stringCache = new Map<number, { bytes: Uint8Array; text: string }>();

/**
 * Reads fields from `buf`. All reads are bounds-checked against the current limit; violations are
 * `FORMAT_INVALID` errors naming the message type (`context`) and the byte position.
 */
export class WireReader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly context: string;
  /** Position of the next byte to read. */
  pos: number;
  /** End of the message currently being read. */
  limit: number;
  /** Low 32 bits (unsigned) of the last {@link varint64}. */
  lo = 0;
  /** High 32 bits (unsigned) of the last {@link varint64}. */
  hi = 0;

  /** `buf` may be a Node Buffer; it is viewed as a plain Uint8Array so that copies made from it are real copies. */
  constructor(buf: Uint8Array, context: string) {
    this.buf = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.context = context;
    this.pos = 0;
    this.limit = buf.length;
  }

  /** True when the current message has no more bytes. */
  atEnd(): boolean {
    return this.pos >= this.limit;
  }

  /** A `FORMAT_INVALID` error about this message at the current position. */
  error(problem: string): Error {
    return formatError(`invalid ${this.context}: ${problem} at byte ${this.pos}`);
  }

  /** Reads a field tag (`field << 3 | wireType`); field 0 is invalid. */
  tag(): number {
    const tag = this.uint32();
    if (tag >>> 3 === 0) throw this.error(`field number 0 (tag ${tag})`);
    return tag;
  }

  /** Reads a varint as uint32 (higher bits of longer varints are dropped, as protobuf does for uint32). */
  uint32(): number {
    const { buf, limit } = this;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= limit) throw this.error("truncated varint");
      const b = buf[this.pos++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) return result >>> 0;
    }
    for (let i = 0; i < 5; i++) {
      if (this.pos >= limit) throw this.error("truncated varint");
      if (buf[this.pos++] < 0x80) return result >>> 0;
    }
    throw this.error("varint longer than 10 bytes");
  }

  /** Reads a varint of up to 64 bits into {@link lo} and {@link hi}. */
  varint64(): void {
    const { buf, limit } = this;
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= limit) throw this.error("truncated varint");
      b = buf[this.pos++];
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = 0;
        return;
      }
    }
    if (this.pos >= limit) throw this.error("truncated varint");
    b = buf[this.pos++];
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw this.error("varint longer than 10 bytes");
        if (this.pos >= limit) throw this.error("truncated varint");
        b = buf[this.pos++];
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
      }
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** Reads an int64 varint as a number (exact within ±2^53). */
  int64Number(): number {
    this.varint64();
    return this.hi >= 0x80000000 ? -((~this.hi >>> 0) * 0x1_0000_0000 + (~this.lo >>> 0) + 1) : this.hi * 0x1_0000_0000 + this.lo;
  }

  /** Reads a 4-byte little-endian float. */
  float(): number {
    this.#need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Reads an 8-byte little-endian double. */
  double(): number {
    this.#need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads the length of a LEN field and returns the end of its payload (validated); `pos` is at its start. */
  delimitedEnd(): number {
    const length = this.uint32();
    this.#need(length);
    return this.pos + length;
  }

  /** Reads a LEN field as a copy of its bytes. */
  bytes(): Uint8Array {
    const end = this.delimitedEnd();
    const out = this.buf.slice(this.pos, end);
    this.pos = end;
    return out;
  }

  /**
   * Reads a LEN field as UTF-8 text. Short strings (feature names, tags) repeat in every record: they are kept in
   * a small cache keyed by their bytes, which saves a TextDecoder call per field.
   */
  string(): string {
    const end = this.delimitedEnd();
    const start = this.pos;
    const length = end - start;
    this.pos = end;
    if (length > SHORT_STRING) return utf8.decode(this.buf.subarray(start, end));
    const buf = this.buf;
    let h = 0x811c9dc5 ^ length;
    for (let p = start; p < end; p++) h = Math.imul(h ^ (buf[p] as number), 16777619);
    const hit = stringCache.get(h);
    if (hit !== undefined && hit.bytes.length === length) {
      let same = true;
      for (let i = 0; i < length; i++) {
        if (hit.bytes[i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit.text;
    }
    const text = utf8.decode(buf.subarray(start, end));
    if (stringCache.size >= STRING_CACHE_LIMIT) stringCache.clear();
    stringCache.set(h, { bytes: buf.slice(start, end), text });
    return text;
  }

  /** Starts reading an embedded message (a LEN field); returns the outer limit to pass to {@link leave}. */
  enter(): number {
    const end = this.delimitedEnd();
    const outer = this.limit;
    this.limit = end;
    return outer;
  }

  /** Finishes an embedded message started with {@link enter}. */
  leave(outer: number): void {
    this.pos = this.limit;
    this.limit = outer;
  }

  /** Skips the payload of a field of the given tag (unknown fields). */
  skip(tag: number): void {
    switch (tag & 7) {
      case WireType.VARINT:
        this.varint64();
        return;
      case WireType.I64:
        this.#need(8);
        this.pos += 8;
        return;
      case WireType.LEN:
        this.pos = this.delimitedEnd();
        return;
      case WireType.I32:
        this.#need(4);
        this.pos += 4;
        return;
      case WireType.SGROUP: {
        const field = tag >>> 3;
        for (;;) {
          if (this.atEnd()) throw this.error(`unterminated group (field ${field})`);
          const inner = this.tag();
          if ((inner & 7) === WireType.EGROUP) {
            if (inner >>> 3 !== field) throw this.error(`mismatched end of group (field ${field})`);
            return;
          }
          this.skip(inner);
        }
      }
      default:
        throw this.error(`invalid wire type ${tag & 7} (field ${tag >>> 3})`);
    }
  }

  #need(n: number): void {
    if (n > this.limit - this.pos) {
      throw this.error(`field of ${n} bytes overruns its message (${this.limit - this.pos} bytes left)`);
    }
  }
}
