/**
 * Stream the result of a DuckDB query into a dataset: DuckDB types map to Example kinds (integers and booleans
 * → int64, floating point and decimals → float, everything else → bytes as text), NULL → a present, empty
 * feature of the column's kind (as TFX writes missing values).
 * @module
 */
import { endianness } from "node:os";
import type { DuckDBConnection, DuckDBDataChunk } from "@duckdb/node-api";
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "../../data/example/types.js";
import { ExampleRowEncoder, type RowEncoderValue } from "../../data/example/row-encoder.js";
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
type Cell = (row: number) => RowEncoderValue;

const LITTLE_ENDIAN = endianness() === "LE";

/**
 * A reader of one column of a chunk. DuckDB's vectors answer `getItem`, whose NULL check does BigInt arithmetic
 * per value; when a vector exposes its validity words and typed items (as @duckdb/node-api 1.x does), they are
 * read directly instead, and 64-bit integers within ±2^53 are read as numbers (no BigInt). Any other vector falls
 * back to `getItem`, so values are the same either way.
 */
function cellReader(vector: DuckVector): Cell {
  const raw = vector as unknown as { items?: unknown; validity?: { data?: BigUint64Array | null; offset?: number } };
  const validity = raw.validity;
  if (!LITTLE_ENDIAN || !validity || !("data" in validity) || (validity.offset ?? 0) !== 0) return (r) => vector.getItem(r) as RowEncoderValue;
  const words = validity.data;
  const bits = words ? new Uint8Array(words.buffer, words.byteOffset, words.byteLength) : undefined;
  const items = raw.items;
  if (items instanceof Float64Array) {
    return bits ? (r) => (((bits[r >> 3] as number) >> (r & 7)) & 1 ? (items[r] as number) : null) : (r) => items[r] as number;
  }
  if (items instanceof BigInt64Array) {
    const halves = new Int32Array(items.buffer, items.byteOffset, items.length * 2);
    const read = (r: number): number | bigint => {
      const hi = halves[2 * r + 1] as number;
      if (hi >= -0x200000 && hi < 0x200000) return hi * 4294967296 + ((halves[2 * r] as number) >>> 0);
      return items[r] as bigint;
    };
    return bits ? (r) => (((bits[r >> 3] as number) >> (r & 7)) & 1 ? read(r) : null) : read;
  }
  return (r) => vector.getItem(r) as RowEncoderValue;
}

/** Run `select` and write every row to `split`; returns the number of rows. */
export async function writeQuery(
  connection: DuckDBConnection,
  select: string,
  columns: readonly { name: string; type: string }[],
  writer: DatasetWriter,
  split: string,
): Promise<number> {
  if (columns.length === 0) throw new KoanError("DATA_INVALID", "the query returned no columns");
  // Rows are encoded straight from DuckDB's column vectors into Example bytes (identical to encodeExample's).
  const encoder = new ExampleRowEncoder(columns.map((c) => ({ name: c.name, kind: kindOfDuckType(c.type) })));
  const width = columns.length;
  const values: RowEncoderValue[] = new Array<RowEncoderValue>(width).fill(null);
  const result = await connection.stream(select);
  let n = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cells = Array.from({ length: width }, (_, c) => cellReader(chunk.getColumnVector(c)));
    const rows = chunk.rowCount;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < width; c++) values[c] = (cells[c] as Cell)(r);
      await writer.writeEncoded(split, encoder.encode(values));
      n++;
    }
  }
  return n;
}
