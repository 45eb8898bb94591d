/**
 * DuckDB for the file sources: one in-memory instance per use, `threads=1` so output is bit-identical across
 * runs and machines. Loaded lazily (native module).
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { loadCommonJs } from "../../core/commonjs.js";

/** An open DuckDB connection and a way to close it. */
export interface DuckDb {
  connection: DuckDBConnection;
  close(): void;
}

/** Open an in-memory DuckDB with one thread. */
export async function openDuckDb(): Promise<DuckDb> {
  const { DuckDBInstance } = await loadCommonJs<typeof import("@duckdb/node-api")>("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  const connection = await instance.connect();
  return {
    connection,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A SQL string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A SQL identifier. */
export function sqlIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
