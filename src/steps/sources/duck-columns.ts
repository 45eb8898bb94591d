/**
 * Reading DuckDB result chunks as column chunks for a {@link DatasetWriter}: DuckDB types map to Example kinds
 * (see table-dataset.ts), NULL to a present, empty feature. Numbers are read straight from the vectors' typed
 * items and validity words where the vector exposes them, strings through an inline-string cache.
 * @module
 */
import { endianness } from "node:os";
import type { DuckDBDataChunk } from "@duckdb/node-api";
import type { FeatureKind } from "../../data/example/types.js";
import type { RowEncoderColumnData } from "../../data/example/row-encoder.js";
import type { ChunkColumn, ColumnChunk } from "../../data/dataset/column-chunk.js";
import { InlineStringCache, readVarcharKeys } from "./duck-strings.js";

type DuckVector = ReturnType<DuckDBDataChunk["getColumnVector"]>;

const LITTLE_ENDIAN = endianness() === "LE";

/** Row validity as one byte per row (1 = a value), or null when every row has one. */
function validityBytes(bits: Uint8Array | undefined, rows: number): Uint8Array | null {
  if (!bits) return null;
  const out = new Uint8Array(rows);
  let all = true;
  for (let r = 0; r < rows; r++) {
    const v = ((bits[r >> 3] as number) >> (r & 7)) & 1;
    out[r] = v;
    if (v === 0) all = false;
  }
  return all ? null : out;
}

/**
 * Read one column of a chunk. DuckDB's vectors answer `getItem`, whose NULL check does BigInt arithmetic per
 * value; when a vector exposes its validity words and typed items (as @duckdb/node-api 1.x does), they are read
 * directly instead (64-bit integers as their two 32-bit halves, no BigInt). Any other vector falls back to
 * `getItem`, so values are the same either way. Strings become binary strings (one char per UTF-8 byte; see
 * duck-strings.ts), which the encoder copies and the statistics count.
 */
function chunkColumn(vector: DuckVector, name: string, kind: FeatureKind, rows: number, strings: InlineStringCache): ChunkColumn {
  if (kind === "bytes") {
    const keys = readVarcharKeys(vector, rows, strings, LITTLE_ENDIAN);
    return { data: { kind, keys }, stats: { name, kind, keys, utf8: true } };
  }
  const raw = vector as unknown as { items?: unknown; validity?: { data?: BigUint64Array | null; offset?: number } };
  const validity = raw.validity;
  const direct = LITTLE_ENDIAN && validity !== undefined && "data" in validity && (validity.offset ?? 0) === 0;
  const words = direct ? validity.data : undefined;
  const bits = words ? new Uint8Array(words.buffer, words.byteOffset, words.byteLength) : undefined;
  const items = raw.items;
  if (kind === "float" && direct && items instanceof Float64Array) {
    const valid = validityBytes(bits, rows);
    return { data: { kind, values: items, valid }, stats: { name, kind, values: items, valid } };
  }
  if (kind === "int64" && direct && items instanceof BigInt64Array) {
    const valid = validityBytes(bits, rows);
    const halves = new Int32Array(items.buffer, items.byteOffset, rows * 2);
    const numbers = new Float64Array(rows);
    for (let r = 0; r < rows; r++) numbers[r] = (halves[2 * r + 1] as number) * 4294967296 + ((halves[2 * r] as number) >>> 0); // = Number(items[r])
    return { data: { kind, words: halves, valid }, stats: { name, kind, values: numbers, valid } };
  }
  // Any other vector: getItem per row.
  const numbers = new Float64Array(rows);
  const valid = new Uint8Array(rows);
  const halves = kind === "int64" ? new Int32Array(rows * 2) : undefined;
  let nulls = false;
  for (let r = 0; r < rows; r++) {
    const v = vector.getItem(r) as unknown;
    if (v === null || v === undefined) {
      nulls = true;
      continue;
    }
    valid[r] = 1;
    if (halves) {
      const big = BigInt.asIntN(64, typeof v === "bigint" ? v : BigInt(v as number));
      halves[2 * r] = Number(BigInt.asIntN(32, big));
      halves[2 * r + 1] = Number(big >> 32n);
      numbers[r] = Number(big);
    } else numbers[r] = Number(v);
  }
  const mask = nulls ? valid : null;
  const data: RowEncoderColumnData = halves ? { kind: "int64", words: halves, valid: mask } : { kind: "float", values: numbers, valid: mask };
  return { data, stats: { name, kind, values: numbers, valid: mask } };
}

/**
 * Reads result chunks of a query whose columns have the given kinds, keeping one string cache per column
 * across chunks.
 */
export class DuckChunkReader {
  readonly #caches: InlineStringCache[];

  constructor(
    private readonly columns: readonly { readonly name: string; readonly kind: FeatureKind }[],
  ) {
    this.#caches = columns.map(() => new InlineStringCache());
  }

  /** The chunk's rows as columns. */
  read(chunk: DuckDBDataChunk): ColumnChunk {
    const rows = chunk.rowCount;
    const columns = this.columns.map((c, i) => chunkColumn(chunk.getColumnVector(i), c.name, c.kind, rows, this.#caches[i] as InlineStringCache));
    return { rows, columns };
  }
}
