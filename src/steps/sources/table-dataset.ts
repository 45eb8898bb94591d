/**
 * Stream the result of a DuckDB query into a dataset: DuckDB types map to Example kinds (integers and booleans
 * → int64, floating point and decimals → float, everything else → bytes as text), NULL → a present, empty
 * feature of the column's kind (as TFX writes missing values).
 * @module
 */
import { availableParallelism } from "node:os";
import type { DuckDBConnection, DuckDBDataChunk } from "@duckdb/node-api";
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "../../data/example/types.js";
import type { RowEncoderColumn } from "../../data/example/row-encoder.js";
import type { ColumnChunk } from "../../data/dataset/column-chunk.js";
import type { DatasetWriter } from "../../data/dataset/writer.js";
import { DuckChunkReader } from "./duck-columns.js";
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

/**
 * Whether a table source written by one thread counts its numeric columns' statistics on a worker thread (see
 * `DatasetWriterOptions.statisticsThread`): from 16 MB of source data, where the calling thread (reading DuckDB's
 * chunks, encoding, counting the strings) is what the ingest waits for; measured 0.45–0.5 s (8%) faster on 1M
 * rows on 2 cores, for the same CPU. `KOAN_STATS_THREAD=1` or `0` overrides it. The statistics do not depend on it.
 */
export function ingestStatisticsThread(sourceBytes: number, threads: number): boolean {
  const forced = process.env.KOAN_STATS_THREAD;
  if (forced !== undefined && forced !== "") {
    if (forced !== "0" && forced !== "1") throw new KoanError("CONFIG_INVALID", `KOAN_STATS_THREAD must be 0 or 1, got "${forced}"`);
    return forced === "1";
  }
  return threads === 1 && sourceBytes >= THREADED_BYTES;
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
  const kinded = datasetColumns(columns);
  let n = 0;
  for await (const chunk of readChunks(connection, select, kinded)) {
    n += chunk.rows;
    if (writer.appendColumns(split, chunk)) await writer.drained();
  }
  return n;
}

/**
 * The result of `select` chunk by chunk as column chunks of `columns` (see {@link datasetColumns}), read on this
 * thread; the next chunk is fetched while one is being used.
 */
export async function* readChunks(connection: DuckDBConnection, select: string, columns: readonly RowEncoderColumn[]): AsyncGenerator<ColumnChunk> {
  const reader = new DuckChunkReader(columns);
  const result = await connection.stream(select);
  let pending: Promise<DuckDBDataChunk | null> = result.fetchChunk();
  try {
    for (;;) {
      const chunk = await pending;
      if (!chunk || chunk.rowCount === 0) break;
      pending = result.fetchChunk(); // DuckDB parses the next chunk on its own thread while this one is encoded
      yield reader.read(chunk);
    }
  } finally {
    pending.catch(() => {}); // a fetch started before a failure: its outcome no longer matters
  }
}
