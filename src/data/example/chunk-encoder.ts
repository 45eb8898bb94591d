/**
 * Encoding table rows given as column chunks straight into framed TFRecord records: for the rows of one shard
 * (`first, first + step, ...` of a chunk), every record's size is computed column by column, then each column's
 * map entries are written into all those records, then the records are framed (length, CRCs) in place. Each
 * loop sees one column of one kind, and nothing is allocated per row.
 *
 * The records hold exactly the bytes of `ExampleRowEncoder.encode` of each row's values (and so of `encodeExample`),
 * framed exactly as `writeFramedRecord` frames them.
 * @example
 * ```ts
 * const enc = new ExampleChunkEncoder([{ name: "x", kind: "float" }]);
 * const framed = enc.encodeFramed([{ kind: "float", values: new Float64Array([0.5, 1.5, 2.5]), valid: null }], 3, 0, 2);
 * // framed holds the records of rows 0 and 2, back to back; a view valid until the next call
 * ```
 * @module
 */
import { maskedCrc32c } from "../tfrecord/crc32c.js";
import { FOOTER_BYTES, HEADER_BYTES, writeUint32LE } from "../tfrecord/framing.js";
import { columnPlans, type ColumnPlan, type RowEncoderColumn } from "./column-plan.js";
import type { RowEncoderColumnData } from "./row-encoder.js";
import { LITTLE_ENDIAN } from "./wire-reader.js";
import { varint32Size, writeVarint32, writeVarint64 } from "./wire-writer.js";

const TAG_1 = 0x0a;
const TAG_2 = 0x12;
const TAG_3 = 0x1a;
/** Indexes of a float32's little-endian bytes 0..3 in the platform's byte order. */
const B0 = LITTLE_ENDIAN ? 0 : 3;
const B1 = LITTLE_ENDIAN ? 1 : 2;
const B2 = LITTLE_ENDIAN ? 2 : 1;
const B3 = LITTLE_ENDIAN ? 3 : 0;
const EMPTY = new Uint8Array(0);

/** Bytes of a map entry `TAG_1 varint(entry) head varint(size) <feature of size bytes>`. */
function entryBytes(headLength: number, size: number): number {
  const entry = headLength + varint32Size(size) + size;
  return 1 + varint32Size(entry) + entry;
}

/** Number of rows `first, first + step, ...` below `rows`. */
export function strideCount(rows: number, first: number, step: number): number {
  return first < rows ? Math.floor((rows - 1 - first) / step) + 1 : 0;
}

/** See the module comment. */
export class ExampleChunkEncoder {
  readonly #plans: readonly ColumnPlan[];
  #buf = new Uint8Array(1 << 16);
  /** Per (column k in plan order, row i): the feature size, at `k * m + i` (m = rows of the call). */
  #sizes = new Int32Array(0);
  /** Per row: the size of the Example's `features` message, then its record's start. */
  #features = new Int32Array(0);
  #starts = new Int32Array(0);
  /** Per row: where its next map entry goes. */
  #cursor = new Int32Array(0);
  /** Per row: a float column's value as float32 (and its bytes). */
  #f32 = new Float32Array(0);
  #f32Bytes = new Uint8Array(0);
  /** Per column, the map-entry prefixes by feature size (see {@link #entryPrefix}). */
  readonly #prefixes = new Map<ColumnPlan, Uint8Array[]>();

  constructor(columns: readonly RowEncoderColumn[]) {
    this.#plans = columnPlans(columns);
  }

  /**
   * Encode and frame rows `first, first + step, ...` (below `rows`) of a chunk (`columns[i]` holds column `i` as
   * given to the constructor, of its kind). Returns the framed records back to back: a view into the encoder's
   * buffer, valid until the next call.
   */
  encodeFramed(columns: readonly RowEncoderColumnData[], rows: number, first: number, step: number): Uint8Array {
    const m = strideCount(rows, first, step);
    if (m === 0) return EMPTY;
    const plans = this.#plans;
    const n = plans.length;
    this.#reserveRows(m, n);
    const sizes = this.#sizes;
    const features = this.#features;
    features.fill(0, 0, m);
    for (let k = 0; k < n; k++) this.#measure(plans[k] as ColumnPlan, columns[(plans[k] as ColumnPlan).input] as RowEncoderColumnData, k * m, m, first, step);
    // Record starts; each record's header and the start of its Example.
    const starts = this.#starts;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const f = features[i] as number;
      starts[i] = total;
      total += HEADER_BYTES + 1 + varint32Size(f) + f + FOOTER_BYTES;
    }
    if (total > this.#buf.length) this.#buf = new Uint8Array(Math.max(total, this.#buf.length * 2));
    const out = this.#buf;
    const cursor = this.#cursor;
    for (let i = 0; i < m; i++) {
      const s = starts[i] as number;
      const f = features[i] as number;
      const length = 1 + varint32Size(f) + f;
      writeUint32LE(out, s, length);
      writeUint32LE(out, s + 4, 0);
      writeUint32LE(out, s + 8, maskedCrc32c(out, s, s + 8));
      out[s + HEADER_BYTES] = TAG_1;
      cursor[i] = writeVarint32(out, s + HEADER_BYTES + 1, f);
    }
    for (let k = 0; k < n; k++) {
      const p = plans[k] as ColumnPlan;
      const col = columns[p.input] as RowEncoderColumnData;
      if (col.kind === "float") this.#writeFloats(out, p, col, k * m, m, first, step);
      else if (col.kind === "int64") this.#writeInt64s(out, p, col, k * m, m, first, step);
      else this.#writeBytes(out, p.head, col, k * m, m, first, step);
    }
    for (let i = 0; i < m; i++) {
      const s = (starts[i] as number) + HEADER_BYTES;
      const end = cursor[i] as number;
      writeUint32LE(out, end, maskedCrc32c(out, s, end));
    }
    return out.subarray(0, total);
  }

  #reserveRows(m: number, n: number): void {
    if (this.#features.length < m) {
      const cap = Math.max(m, this.#features.length * 2);
      this.#features = new Int32Array(cap);
      this.#starts = new Int32Array(cap);
      this.#cursor = new Int32Array(cap);
      this.#f32 = new Float32Array(cap);
      this.#f32Bytes = new Uint8Array(this.#f32.buffer);
    }
    if (this.#sizes.length < m * n) this.#sizes = new Int32Array(Math.max(m * n, this.#sizes.length * 2));
  }

  /** Feature sizes of one column (at `sizes[at + i]`), added as map entries to each row's `features` size. */
  #measure(p: ColumnPlan, col: RowEncoderColumnData, at: number, m: number, first: number, step: number): void {
    const sizes = this.#sizes;
    const features = this.#features;
    const hl = p.head.length;
    if (col.kind === "bytes") {
      const keys = col.keys;
      for (let i = 0, r = first; i < m; i++, r += step) {
        const key = keys[r];
        let size = 2; // TAG_1 + empty list
        if (key !== null && key !== undefined) {
          const len = key.length;
          const list = 1 + varint32Size(len) + len;
          size = 1 + varint32Size(list) + list;
        }
        sizes[at + i] = size;
        features[i] += entryBytes(hl, size);
      }
      return;
    }
    const valid = col.valid;
    if (col.kind === "float") {
      const full = entryBytes(hl, 8); // TAG_2 06 TAG_1 04 f32
      const empty = entryBytes(hl, 2);
      for (let i = 0, r = first; i < m; i++, r += step) {
        const ok = valid === null || valid[r] === 1;
        sizes[at + i] = ok ? 8 : 2;
        features[i] += ok ? full : empty;
      }
      return;
    }
    const words = col.words;
    for (let i = 0, r = first; i < m; i++, r += step) {
      let size = 2;
      if (valid === null || valid[r] === 1) {
        const h = (words[2 * r + 1] as number) >>> 0;
        const bits = h !== 0 ? 64 - Math.clz32(h) : 32 - Math.clz32((words[2 * r] as number) >>> 0);
        size = 4 + (bits === 0 ? 1 : ((bits + 6) / 7) | 0); // TAG_3 len TAG_1 len varint
      }
      sizes[at + i] = size;
      features[i] += entryBytes(hl, size);
    }
  }

  /** Write `TAG_1 varint(entry) head varint(size)` at `pos`; returns the position after it. */
  #entryHead(out: Uint8Array, head: Uint8Array, pos: number, size: number): number {
    const entry = head.length + varint32Size(size) + size;
    out[pos++] = TAG_1;
    pos = entry < 0x80 ? ((out[pos] = entry), pos + 1) : writeVarint32(out, pos, entry);
    for (let j = 0; j < head.length; j++) out[pos++] = head[j] as number;
    return size < 0x80 ? ((out[pos] = size), pos + 1) : writeVarint32(out, pos, size);
  }

  /** The bytes {@link #entryHead} writes for a feature of `size` bytes (size < 128), one copy per column and size. */
  #entryPrefix(p: ColumnPlan, size: number): Uint8Array {
    let cache = this.#prefixes.get(p);
    if (!cache) this.#prefixes.set(p, (cache = []));
    let prefix = cache[size];
    if (!prefix) {
      const buf = new Uint8Array(p.head.length + 8);
      prefix = buf.slice(0, this.#entryHead(buf, p.head, 0, size));
      cache[size] = prefix;
    }
    return prefix;
  }

  #writeFloats(out: Uint8Array, p: ColumnPlan, col: RowEncoderColumnData & { kind: "float" }, at: number, m: number, first: number, step: number): void {
    const sizes = this.#sizes;
    const cursor = this.#cursor;
    const f32 = this.#f32;
    const bytes = this.#f32Bytes;
    const values = col.values;
    for (let i = 0, r = first; i < m; i++, r += step) f32[i] = values[r] as number;
    const full = this.#entryPrefix(p, 8);
    const empty = this.#entryPrefix(p, 2);
    const fullLength = full.length;
    for (let i = 0; i < m; i++) {
      const size = sizes[at + i] as number;
      let pos = cursor[i] as number;
      if (size === 2) {
        for (let j = 0; j < empty.length; j++) out[pos++] = empty[j] as number;
        out[pos++] = TAG_2;
        out[pos++] = 0;
      } else {
        for (let j = 0; j < fullLength; j++) out[pos++] = full[j] as number;
        out[pos++] = TAG_2;
        out[pos++] = 6;
        out[pos++] = TAG_1;
        out[pos++] = 4;
        const b = 4 * i;
        out[pos++] = bytes[b + B0] as number;
        out[pos++] = bytes[b + B1] as number;
        out[pos++] = bytes[b + B2] as number;
        out[pos++] = bytes[b + B3] as number;
      }
      cursor[i] = pos;
    }
  }

  #writeInt64s(out: Uint8Array, p: ColumnPlan, col: RowEncoderColumnData & { kind: "int64" }, at: number, m: number, first: number, step: number): void {
    const sizes = this.#sizes;
    const cursor = this.#cursor;
    const words = col.words;
    for (let i = 0, r = first; i < m; i++, r += step) {
      const size = sizes[at + i] as number;
      const prefix = this.#entryPrefix(p, size);
      let pos = cursor[i] as number;
      for (let j = 0; j < prefix.length; j++) out[pos++] = prefix[j] as number;
      out[pos++] = TAG_3;
      if (size === 2) out[pos++] = 0;
      else {
        out[pos++] = size - 2; // the list: TAG_1 varint(vs) value
        out[pos++] = TAG_1;
        out[pos++] = size - 4;
        pos = writeVarint64(out, pos, words[2 * r] as number, words[2 * r + 1] as number);
      }
      cursor[i] = pos;
    }
  }

  #writeBytes(out: Uint8Array, head: Uint8Array, col: RowEncoderColumnData & { kind: "bytes" }, at: number, m: number, first: number, step: number): void {
    const sizes = this.#sizes;
    const cursor = this.#cursor;
    const keys = col.keys;
    for (let i = 0, r = first; i < m; i++, r += step) {
      let pos = this.#entryHead(out, head, cursor[i] as number, sizes[at + i] as number);
      out[pos++] = TAG_1;
      const key = keys[r];
      if (key === null || key === undefined) out[pos++] = 0;
      else {
        const len = key.length;
        pos = writeVarint32(out, pos, 1 + varint32Size(len) + len);
        out[pos++] = TAG_1;
        pos = writeVarint32(out, pos, len);
        for (let j = 0; j < len; j++) out[pos + j] = key.charCodeAt(j);
        pos += len;
      }
      cursor[i] = pos;
    }
  }
}
