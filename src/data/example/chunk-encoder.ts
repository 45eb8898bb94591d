/**
 * Encoding table rows given as column chunks straight into framed TFRecord records, on a WebAssembly kernel
 * (kernel/chunk-kernel.c): a chunk's columns are copied once into the kernel's memory ({@link ExampleChunkEncoder.load}),
 * then the records of each shard's rows (`first, first + step, ...`) are written and framed (length,
 * masked CRC-32C) there in one pass, with nothing allocated per row ({@link ExampleChunkEncoder.encodeFramed}).
 *
 * The records hold exactly the bytes of `ExampleRowEncoder.encode` of each row's values (and so of `encodeExample`),
 * framed exactly as `writeFramedRecord` frames them.
 * @example
 * ```ts
 * const enc = new ExampleChunkEncoder([{ name: "x", kind: "float" }]);
 * enc.load([{ kind: "float", values: new Float64Array([0.5, 1.5, 2.5]), valid: null }], 3);
 * const framed = enc.encodeFramed(0, 2);
 * // framed holds the records of rows 0 and 2, back to back; a view valid until the next call
 * ```
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { columnPlans, type ColumnPlan, type RowEncoderColumn } from "./column-plan.js";
import { reserveMemory } from "../../core/wasm.js";
import { chunkKernel, type ChunkKernelExports } from "./kernel/chunk-kernel.js";
import type { RowEncoderColumnData } from "./row-encoder.js";

/** Kernel memory above which a chunk is refused (the kernel's sizes are 32-bit). */
const MAX_MEMORY = 2 ** 31;
/** uint32 words of a column descriptor (see `Column` in chunk-kernel.c). */
const DESC_WORDS = 8;
const EMPTY = new Uint8Array(0);

const align8 = (n: number): number => (n + 7) & ~7;

/** Number of rows `first, first + step, ...` below `rows`. */
export function strideCount(rows: number, first: number, step: number): number {
  return first < rows ? Math.floor((rows - 1 - first) / step) + 1 : 0;
}

/** Where a column's data sits in the kernel's memory. */
interface Placement {
  values: number;
  valid: number;
  blob: number;
}

/** See the module comment. */
export class ExampleChunkEncoder {
  readonly #plans: readonly ColumnPlan[];
  readonly #kernel: ChunkKernelExports;
  #u8 = new Uint8Array(0);
  #u32 = new Uint32Array(0);
  #f64 = new Float64Array(0);
  #i32 = new Int32Array(0);
  #buf = Buffer.alloc(0);
  /** Column descriptors, in plan order. */
  readonly #descs: number;
  /** Start of the per-chunk area. */
  readonly #area: number;
  readonly #placements: Placement[];
  #rows = 0;
  #out = 0;
  /**
   * Bytes that bound one row's framed record, whatever its values, but for its strings' bytes (see `encode` in
   * chunk-kernel.c): load() reserves this per row plus the chunk's string bytes.
   */
  readonly #rowBound: number;

  constructor(columns: readonly RowEncoderColumn[]) {
    this.#plans = columnPlans(columns);
    this.#rowBound = this.#plans.reduce((n, p) => n + 11 + p.head.length + (p.kind === "bytes" ? 12 : 14), 22);
    this.#kernel = chunkKernel();
    this.#views();
    let at = this.#kernel.__heap_base.value;
    const heads: number[] = [];
    for (const p of this.#plans) {
      this.#reserve(at + p.head.length);
      this.#u8.set(p.head, at);
      heads.push(at);
      at += p.head.length;
    }
    this.#descs = align8(at);
    this.#area = align8(this.#descs + 4 * DESC_WORDS * this.#plans.length);
    this.#reserve(this.#area);
    this.#placements = this.#plans.map(() => ({ values: 0, valid: 0, blob: 0 }));
    this.#plans.forEach((p, k) => {
      const d = (this.#descs >> 2) + k * DESC_WORDS;
      this.#u32[d] = p.code;
      this.#u32[d + 1] = heads[k] as number;
      this.#u32[d + 2] = p.head.length;
    });
  }

  /**
   * Copy a chunk of `rows` rows into the kernel (`columns[i]` holds column `i` as given to the constructor, of
   * its kind); {@link encodeFramed} then encodes its rows. Columns are checked before anything is copied.
   * @throws KoanError `USAGE` for a chunk of another number of columns, or a column shorter than `rows`.
   */
  load(columns: readonly RowEncoderColumnData[], rows: number): void {
    const plans = this.#plans;
    if (columns.length !== plans.length) throw new KoanError("USAGE", `a chunk of ${columns.length} columns was given to an encoder of ${plans.length}`);
    let at = this.#area;
    let strings = 0;
    for (let k = 0; k < plans.length; k++) {
      const col = columns[(plans[k] as ColumnPlan).input] as RowEncoderColumnData;
      const place = this.#placements[k] as Placement;
      place.values = at;
      if (col.kind === "bytes") {
        let bytes = 0;
        const keys = col.keys;
        for (let r = 0; r < rows; r++) bytes += keys[r]?.length ?? 0;
        strings += bytes;
        place.valid = align8(at + 4 * (rows + 1));
        place.blob = align8(place.valid + rows);
        at = align8(place.blob + bytes);
      } else {
        const held = col.kind === "float" ? col.values.length : col.words.length >> 1;
        if (held < rows) throw new KoanError("USAGE", `a${col.kind === "float" ? "" : "n"} ${col.kind} column holds ${held} values for a chunk of ${rows} rows`);
        if (col.valid && col.valid.length < rows) throw new KoanError("USAGE", `a ${col.kind} column's validity covers ${col.valid.length} of ${rows} rows`);
        at = align8(at + 8 * rows);
        place.valid = col.valid ? at : 0;
        if (col.valid) at = align8(at + rows);
        place.blob = 0;
      }
    }
    this.#out = at;
    this.#reserve(this.#out + rows * this.#rowBound + strings);
    const u8 = this.#u8;
    const u32 = this.#u32;
    for (let k = 0; k < plans.length; k++) {
      const col = columns[(plans[k] as ColumnPlan).input] as RowEncoderColumnData;
      const place = this.#placements[k] as Placement;
      const d = (this.#descs >> 2) + k * DESC_WORDS;
      u32[d + 3] = place.values;
      u32[d + 5] = place.blob;
      if (col.kind === "float") {
        const values = col.values;
        this.#f64.set(values instanceof Float64Array ? values.subarray(0, rows) : Array.prototype.slice.call(values, 0, rows), place.values >> 3);
        if (col.valid) u8.set(col.valid.subarray(0, rows), place.valid);
        u32[d + 4] = place.valid;
      } else if (col.kind === "int64") {
        this.#i32.set(col.words.subarray(0, 2 * rows), place.values >> 2);
        if (col.valid) u8.set(col.valid.subarray(0, rows), place.valid);
        u32[d + 4] = place.valid;
      } else {
        const keys = col.keys;
        const offsets = place.values >> 2;
        let pos = 0;
        let nulls = false;
        for (let r = 0; r < rows; r++) {
          u32[offsets + r] = pos;
          const key = keys[r];
          if (key === null || key === undefined) {
            u8[place.valid + r] = 0;
            nulls = true;
          } else {
            u8[place.valid + r] = 1;
            pos += key.length;
          }
        }
        u32[offsets + rows] = pos;
        u32[d + 4] = nulls ? place.valid : 0;
        // One write of the chunk's strings back to back (NULL joins as ""): each char is one byte.
        if (pos > 0) this.#buf.write((rows === keys.length ? keys : keys.slice(0, rows)).join(""), place.blob, pos, "latin1");
      }
    }
    this.#rows = rows;
  }

  /**
   * Encode and frame rows `first, first + step, ...` of the loaded chunk. Returns the framed records back to
   * back: a view into the kernel's memory, valid until the next call.
   */
  encodeFramed(first: number, step: number): Uint8Array {
    const rows = this.#rows;
    if (first >= rows) return EMPTY;
    // load() reserved room for the bound of all rows, so the kernel writes in one pass without measuring first.
    const written = this.#kernel.encode(this.#descs, this.#plans.length, rows, first, step, this.#out) >>> 0;
    return this.#u8.subarray(this.#out, this.#out + written);
  }

  /** Grow the kernel's memory to hold `end` bytes. */
  #reserve(end: number): void {
    if (end > MAX_MEMORY) throw new KoanError("DATA_INVALID", `a chunk of rows needs ${end} bytes to encode, more than the encoder's ${MAX_MEMORY}`, { hint: "give the writer smaller chunks of rows" });
    if (reserveMemory(this.#kernel, end)) this.#views();
  }

  #views(): void {
    const b = this.#kernel.memory.buffer;
    this.#u8 = new Uint8Array(b);
    this.#u32 = new Uint32Array(b);
    this.#f64 = new Float64Array(b);
    this.#i32 = new Int32Array(b);
    this.#buf = Buffer.from(b);
  }
}
