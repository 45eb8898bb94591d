/**
 * Stream the result of a DuckDB query into a dataset: DuckDB types map to Example kinds (integers and booleans
 * → int64, floating point and decimals → float, everything else → bytes as text), NULL → a present, empty
 * feature of the column's kind (as TFX writes missing values).
 * @module
 */
import { availableParallelism, endianness } from "node:os";
import type { DuckDBConnection, DuckDBDataChunk } from "@duckdb/node-api";
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "../../data/example/types.js";
import type { RowEncoderColumn, RowEncoderColumnData } from "../../data/example/row-encoder.js";
import type { ChunkColumn } from "../../data/dataset/column-chunk.js";
import { InlineStringCache, readVarcharKeys } from "./duck-strings.js";
import type { DatasetWriter } from "../../data/dataset/writer.js";
import { sqlIdent } from "./duckdb.js";

const INT = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|BOOLEAN)$/;
const FLOAT = /^(FLOAT|DOUBLE|REAL|DECIMAL.*|HUGEINT|UBIGINT|UHUGEINT)$/;

/** The Example kind of a DuckDB type. */
export function kindOfDuckType(type: string): FeatureKind {
  if (INT.test(type)) return "int64";
  if (FLOAT.test(type)) return "float";
  return "bytes";
}

/** A SELECT over `source` that casts every column to what its kind needs. */
export function castingSelect(columns: readonly { name: string; type: string }[], source: string): string {
  const cols = columns.map(({ name, type }) => {
    const id = sqlIdent(name);
    const kind = kindOfDuckType(type);
    if (kind === "int64") return `CAST(${id} AS BIGINT) AS ${id}`;
    if (kind === "float") return `CAST(${id} AS DOUBLE) AS ${id}`;
    return type === "VARCHAR" ? id : `CAST(${id} AS VARCHAR) AS ${id}`;
  });
  return `SELECT ${cols.join(", ")} FROM ${source}`;
}

/** The columns a query returns. */
export async function describe(connection: DuckDBConnection, query: string): Promise<{ name: string; type: string }[]> {
  const rows = (await connection.runAndReadAll(`DESCRIBE ${query}`)).getRows();
  return rows.map((r) => ({ name: String(r[0]), type: String(r[1]) }));
}

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

/** Bytes of source data from which a table source writes its dataset with more than one thread. */
const THREADED_BYTES = 16 << 20;

/**
 * Threads a table source writes its dataset with: 1 below 16 MB of source data (starting threads would cost more
 * than they save) or on 2 cores or fewer (DuckDB's parser and gzip already use the second core: measured 1.03×
 * faster with 2 threads, for 30% more CPU), else one per core but one, at most 4. `KOAN_INGEST_THREADS` overrides
 * it. The dataset's bytes do not depend on it.
 */
export function ingestThreads(sourceBytes: number): number {
  const forced = process.env.KOAN_INGEST_THREADS;
  if (forced !== undefined && forced !== "") {
    const n = Number(forced);
    if (!(Number.isInteger(n) && n >= 1)) throw new KoanError("CONFIG_INVALID", `KOAN_INGEST_THREADS must be a positive integer, got "${forced}"`);
    return n;
  }
  const cores = availableParallelism();
  return sourceBytes < THREADED_BYTES || cores <= 2 ? 1 : Math.min(4, cores - 1);
}

/** The dataset columns of a query's columns (for `DatasetWriter.create`'s `columns`). */
export function datasetColumns(columns: readonly { name: string; type: string }[]): RowEncoderColumn[] {
  return columns.map((c) => ({ name: c.name, kind: kindOfDuckType(c.type) }));
}

/**
 * Run `select` and write every row to `split` of `writer` (created with `columns: datasetColumns(columns)`);
 * returns the number of rows. Rows go to the writer as column chunks read straight from DuckDB's vectors (the
 * writer encodes them into the same bytes as encodeExample, and counts its statistics from them); the next chunk
 * is fetched while the current one is written.
 */
export async function writeQuery(
  connection: DuckDBConnection,
  select: string,
  columns: readonly { name: string; type: string }[],
  writer: DatasetWriter,
  split: string,
): Promise<number> {
  if (columns.length === 0) throw new KoanError("DATA_INVALID", "the query returned no columns");
  const kinds = columns.map((c) => kindOfDuckType(c.type));
  const caches = columns.map(() => new InlineStringCache());
  const result = await connection.stream(select);
  let pending: Promise<DuckDBDataChunk | null> = result.fetchChunk();
  let n = 0;
  try {
    for (;;) {
      const chunk = await pending;
      if (!chunk || chunk.rowCount === 0) break;
      pending = result.fetchChunk(); // DuckDB parses the next chunk on its own thread while this one is encoded
      const rows = chunk.rowCount;
      const cols = columns.map((c, i) => chunkColumn(chunk.getColumnVector(i), c.name, kinds[i] as FeatureKind, rows, caches[i] as InlineStringCache));
      n += rows;
      if (writer.appendColumns(split, { rows, columns: cols })) await writer.drained();
    }
  } finally {
    pending.catch(() => {}); // a fetch started before a failure: its outcome no longer matters
  }
  return n;
}
