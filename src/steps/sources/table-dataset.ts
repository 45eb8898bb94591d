/**
 * Stream the result of a DuckDB query into a dataset: DuckDB types map to Example kinds (integers and booleans
 * → int64, floating point and decimals → float, everything else → bytes as text), NULL → a present, empty
 * feature of the column's kind (as TFX writes missing values).
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "../../data/example/types.js";
import type { Example, Feature } from "../../data/example/types.js";
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

const encoder = new TextEncoder();

/** Run `select` and write every row to `split`; returns the number of rows. */
export async function writeQuery(
  connection: DuckDBConnection,
  select: string,
  columns: readonly { name: string; type: string }[],
  writer: DatasetWriter,
  split: string,
): Promise<number> {
  const kinds = columns.map((c) => kindOfDuckType(c.type));
  const names = columns.map((c) => c.name);
  const result = await connection.stream(select);
  let n = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const cols = chunk.getColumns();
    for (let r = 0; r < chunk.rowCount; r++) {
      const ex = new Map<string, Feature>();
      for (let c = 0; c < names.length; c++) {
        const v = cols[c]?.[r];
        const name = names[c] as string;
        const kind = kinds[c] as FeatureKind;
        if (v === null || v === undefined) {
          ex.set(name, kind === "float" ? { kind, values: new Float32Array(0) } : kind === "int64" ? { kind, values: new BigInt64Array(0) } : { kind, values: [] });
        } else if (kind === "float") {
          ex.set(name, { kind, values: Float32Array.of(v as number) });
        } else if (kind === "int64") {
          ex.set(name, { kind, values: BigInt64Array.of(typeof v === "bigint" ? v : BigInt(v as number)) });
        } else {
          ex.set(name, { kind, values: [encoder.encode(String(v))] });
        }
      }
      await writer.write(split, ex as Example);
      n++;
    }
  }
  if (n === 0 && columns.length === 0) throw new KoanError("DATA_INVALID", "the query returned no columns");
  return n;
}
