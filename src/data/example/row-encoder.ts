/**
 * A fast encoder of table rows to `tf.train.Example` bytes, for sources that stream typed columns (DuckDB,
 * databases): every column is one feature of a fixed kind holding one value, or none for NULL. Key bytes, their
 * sorted order and the constant parts of each entry are computed once; each row is written into one reused
 * buffer without building `Feature` objects.
 *
 * The bytes are exactly those of {@link encodeExample} for the Example with one single-valued feature per column
 * (a NULL as a present, empty list of the column's kind), so datasets are the same whichever path wrote them.
 * @example
 * ```ts
 * const enc = new ExampleRowEncoder([{ name: "x", kind: "float" }, { name: "id", kind: "int64" }, { name: "tag", kind: "bytes" }]);
 * const record = enc.encode([0.5, 7n, "a"]);   // a view into the encoder's buffer: copy it or write it before the next call
 * ```
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "./types.js";
import { varint32Size, writeVarint32 } from "./wire-writer.js";
import { columnPlans, type ColumnPlan as Plan, type RowEncoderColumn } from "./column-plan.js";

export type { RowEncoderColumn } from "./column-plan.js";

/** A value of a column: a number (float, or an integer for int64), a bigint (int64), a string or bytes (bytes), or null. */
export type RowEncoderValue = number | bigint | string | Uint8Array | null | undefined;

/**
 * The values of one column over a chunk of rows, for `ExampleChunkEncoder.load` (chunk-encoder.ts); `valid` is one
 * byte per row (1 = a value, 0 = NULL), or null when every row has a value.
 */
export type RowEncoderColumnData =
  | { readonly kind: "float"; readonly values: ArrayLike<number>; readonly valid: Uint8Array | null }
  /** 64-bit two's complement integers as 32-bit halves, low half first (`words[2r]`, `words[2r + 1]`). */
  | { readonly kind: "int64"; readonly words: Int32Array; readonly valid: Uint8Array | null }
  /** Binary strings (one char per byte, e.g. UTF-8 as latin1), null for NULL. */
  | { readonly kind: "bytes"; readonly keys: readonly (string | null)[] };

const TAG_1 = 0x0a;
const TAG_2 = 0x12;
const TAG_3 = 0x1a;
const TWO_32 = 4294967296;
const utf8 = new TextEncoder();
const f32View = new DataView(new ArrayBuffer(4));


/**
 * Write an `int64_list` value (tag 3) of one int64 given as its low and high 32-bit halves; `vs` is the varint's
 * size in bytes, or negative for an empty list. Returns the position after it.
 */
function writeInt64List(out: Uint8Array, pos: number, vs: number, lo: number, hi: number): number {
  out[pos++] = TAG_3;
  if (vs < 0) {
    out[pos++] = 0;
    return pos;
  }
  out[pos++] = 2 + vs;
  out[pos++] = TAG_1;
  out[pos++] = vs;
  let l = lo;
  let h = hi;
  while (h !== 0) {
    out[pos++] = (l & 0x7f) | 0x80;
    l = ((l >>> 7) | (h << 25)) >>> 0;
    h >>>= 7;
  }
  while (l > 0x7f) {
    out[pos++] = (l & 0x7f) | 0x80;
    l >>>= 7;
  }
  out[pos++] = l;
  return pos;
}

/**
 * Write a `bytes_list` value (tag 1) of one value of `vs` bytes (negative for an empty list): a binary string
 * (one char per byte, `vs === t.length`), a JS string of `vs` UTF-8 bytes, or bytes. Returns the position after it.
 */
function writeBytesList(out: Uint8Array, pos: number, vs: number, t: string | Uint8Array): number {
  out[pos++] = TAG_1;
  if (vs < 0) {
    out[pos++] = 0;
    return pos;
  }
  pos = writeVarint32(out, pos, 1 + varint32Size(vs) + vs);
  out[pos++] = TAG_1;
  pos = writeVarint32(out, pos, vs);
  if (typeof t !== "string") out.set(t, pos);
  else if (vs === t.length) for (let i = 0; i < vs; i++) out[pos + i] = t.charCodeAt(i);
  else utf8.encodeInto(t, out.subarray(pos, pos + vs));
  return pos + vs;
}


/** UTF-8 length of a string. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    } else n += 2; // 3 bytes (a lone surrogate becomes U+FFFD, also 3 bytes)
  }
  return n;
}

/** See the module comment. */
export class ExampleRowEncoder {
  readonly #plans: readonly Plan[];
  /** Per column (in plan order), the size of the feature message of the current row. */
  readonly #featureSize: Int32Array;
  /** Per column, the payload length (bytes) or varint size (int64) of the current row. */
  readonly #valueSize: Int32Array;
  readonly #lo: Uint32Array;
  readonly #hi: Uint32Array;
  readonly #text: (Uint8Array | string | null)[];
  #buf = new Uint8Array(1 << 16);

  constructor(columns: readonly RowEncoderColumn[]) {
    const plans = columnPlans(columns);
    this.#plans = plans;
    const n = plans.length;
    this.#featureSize = new Int32Array(n);
    this.#valueSize = new Int32Array(n);
    this.#lo = new Uint32Array(n);
    this.#hi = new Uint32Array(n);
    this.#text = new Array<Uint8Array | string | null>(n).fill(null);
  }

  /**
   * Encode one row (`values[i]` is the value of column `i` as given to the constructor). Returns a view into
   * the encoder's buffer, valid until the next call.
   * @throws KoanError `DATA_INVALID` for a value that does not fit its column's kind.
   */
  encode(values: ArrayLike<RowEncoderValue>): Uint8Array {
    const plans = this.#plans;
    const featureSize = this.#featureSize;
    const valueSize = this.#valueSize;
    const lo = this.#lo;
    const hi = this.#hi;
    const text = this.#text;
    let featuresSize = 0;
    for (let k = 0; k < plans.length; k++) {
      const p = plans[k] as Plan;
      const v = values[p.input];
      let size: number;
      if (v === null || v === undefined) {
        size = 2; // tag + empty list
        valueSize[k] = -1;
      } else if (p.kind === "float") {
        if (typeof v !== "number") throw this.#invalid(p, v);
        size = 8; // TAG_2 06 | TAG_1 04 f32
        valueSize[k] = 4;
      } else if (p.kind === "int64") {
        let l: number;
        let h: number;
        if (typeof v === "number") {
          if (!Number.isInteger(v) || v < -9223372036854775808 || v >= 9223372036854775808) throw this.#invalid(p, v);
          if (v >= 0 && v < TWO_32) {
            l = v;
            h = 0;
          } else if (Number.isSafeInteger(v)) {
            h = Math.floor(v / TWO_32) >>> 0;
            l = (v - Math.floor(v / TWO_32) * TWO_32) >>> 0;
          } else {
            const b = BigInt.asUintN(64, BigInt(v));
            l = Number(b & 0xffffffffn);
            h = Number(b >> 32n);
          }
        } else if (typeof v === "bigint") {
          if (v >= 0n && v < 4294967296n) {
            l = Number(v);
            h = 0;
          } else {
            if (v < -9223372036854775808n || v > 9223372036854775807n) throw this.#invalid(p, v);
            const b = BigInt.asUintN(64, v);
            l = Number(b & 0xffffffffn);
            h = Number(b >> 32n);
          }
        } else throw this.#invalid(p, v);
        lo[k] = l;
        hi[k] = h;
        const bits = h !== 0 ? 64 - Math.clz32(h) : 32 - Math.clz32(l);
        const vs = bits === 0 ? 1 : ((bits + 6) / 7) | 0;
        valueSize[k] = vs;
        const list = 2 + vs; // TAG_1 varint(vs) value (vs ≤ 10 so its varint is one byte)
        size = 2 + list; // TAG_3 varint(list ≤ 12) list
      } else {
        let len: number;
        if (typeof v === "string") len = utf8Length(v);
        else if (v instanceof Uint8Array) len = v.length;
        else throw this.#invalid(p, v);
        text[k] = v as string | Uint8Array;
        valueSize[k] = len;
        const list = 1 + varint32Size(len) + len;
        size = 1 + varint32Size(list) + list;
      }
      featureSize[k] = size;
      const entry = p.head.length + varint32Size(size) + size;
      featuresSize += 1 + varint32Size(entry) + entry;
    }
    const total = 1 + varint32Size(featuresSize) + featuresSize;
    if (total > this.#buf.length) this.#buf = new Uint8Array(Math.max(total, this.#buf.length * 2));
    const out = this.#buf;
    out[0] = TAG_1;
    let pos = writeVarint32(out, 1, featuresSize);
    for (let k = 0; k < plans.length; k++) {
      const p = plans[k] as Plan;
      const size = featureSize[k] as number;
      out[pos++] = TAG_1;
      pos = writeVarint32(out, pos, p.head.length + varint32Size(size) + size);
      out.set(p.head, pos);
      pos += p.head.length;
      pos = writeVarint32(out, pos, size);
      const vs = valueSize[k] as number;
      if (p.kind === "float") {
        out[pos++] = TAG_2;
        if (vs < 0) out[pos++] = 0;
        else {
          out[pos++] = 6;
          out[pos++] = TAG_1;
          out[pos++] = 4;
          f32View.setFloat32(0, values[p.input] as number, true);
          out[pos++] = f32View.getUint8(0);
          out[pos++] = f32View.getUint8(1);
          out[pos++] = f32View.getUint8(2);
          out[pos++] = f32View.getUint8(3);
        }
      } else if (p.kind === "int64") {
        pos = writeInt64List(out, pos, vs, lo[k] as number, hi[k] as number);
      } else {
        pos = writeBytesList(out, pos, vs, text[k] as string | Uint8Array);
        text[k] = null;
      }
    }
    if (pos !== total) throw new KoanError("INTERNAL", `ExampleRowEncoder wrote ${pos} bytes, expected ${total}`);
    return out.subarray(0, total);
  }

  #invalid(p: Plan, v: unknown): KoanError {
    const shown = typeof v === "bigint" ? `${v}n` : typeof v === "string" ? JSON.stringify(v) : String(v);
    return new KoanError("DATA_INVALID", `feature "${p.name}": cannot store ${typeof v} ${shown} in a ${p.kind} feature`, { details: { feature: p.name, kind: p.kind } });
  }
}
