/**
 * `fileSource`: read a CSV, JSON Lines or Parquet file (anything DuckDB reads) into a dataset with one split.
 * The file's content hash is the step's fingerprint: an unchanged file is a cache hit (a new run records the
 * same dataset version), a changed one is a new version.
 *
 * `path` is a local path, a `file://` URL, or a file in an artifact store named by its artifact URI
 * (`<artifact store URI>/sha256/<hash>[/path inside a folder artifact]`, e.g. `s3://bucket/koan/sha256/…/train.csv`;
 * see source-uri.ts): the store is opened through the artifact store flavors, and the hash is the fingerprint.
 * The dataset carries the statistics of its split, counted while it is written (the `statistics` step then needs
 * no second pass).
 *
 * CSV: header, delimiter, quote, `NA`/empty as missing, types inferred by DuckDB's sniffer or declared per
 * column. Malformed files (unterminated quote, wrong number of fields, invalid UTF-8, values that do not fit a
 * declared type), an empty file or a header-only file fail the step with a message naming the file and line.
 *
 * @example
 * ```ts
 * const { dataset } = fileSource(undefined, { params: { path: "data/penguins.csv", shards: 2 } });
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { z } from "zod";
import { KoanError, messageOf } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import { dataset } from "../../data/dataset/type.js";
import { openDuckDb, sqlIdent, sqlString } from "./duckdb.js";
import { resolveSourcePath, sourceFingerprint } from "./source-uri.js";
import { sniffCsv, type SniffedCsv } from "./csv-sniff.js";
import { castingSelect, datasetColumns, describe, ingestStatisticsThread, ingestThreads, writeQuery } from "./table-dataset.js";
import type { DuckDBConnection } from "@duckdb/node-api";
import { readFile } from "node:fs/promises";

const DUCK_TYPE = { int64: "BIGINT", float: "DOUBLE", bytes: "VARCHAR" } as const;

export const fileSourceParams = z
  .object({
    path: z.string().min(1),
    format: z.enum(["auto", "csv", "jsonl", "json", "parquet"]).default("auto"),
    delimiter: z.string().length(1).default(","),
    header: z.boolean().default(true),
    quote: z.string().max(1).default('"'),
    nullValues: z.array(z.string()).default(["", "NA"]),
    /** Declared kinds of some or all columns (the rest are inferred). */
    columns: z.record(z.string(), z.enum(["int64", "float", "bytes"])).optional(),
    /** Keep only rows where this DuckDB SQL condition on the file's columns is true (e.g. `mpg IS NOT NULL`). */
    where: z.string().min(1).optional(),
    shards: z.number().int().min(1).max(4096).default(1),
    /** Shard compression: gzip (level 1; the default) or none (about 4× the bytes, no compression CPU). */
    compression: z.enum(["gzip", "none"]).default("gzip"),
    split: z.string().regex(/^[A-Za-z0-9_-]+$/).default("all"),
    /**
     * Count the split's statistics while writing it (the default), so the `statistics` step reads them instead of
     * decoding every record again; false skips them, for a faster ingest when no statistics are wanted (the
     * `statistics` step then makes its own pass). Optional without a default so that existing runs keep their
     * cache keys.
     */
    statistics: z.boolean().optional(),
  })
  .strict();

export type FileSourceParams = z.input<typeof fileSourceParams>;

function formatOf(path: string, format: string): "csv" | "jsonl" | "json" | "parquet" {
  if (format !== "auto") return format as "csv" | "jsonl" | "json" | "parquet";
  if (/\.parquet$/i.test(path)) return "parquet";
  if (/\.(jsonl|ndjson)$/i.test(path)) return "jsonl";
  if (/\.json$/i.test(path)) return "json";
  return "csv";
}

/** The `read_csv` named arguments of the parameters (text starting with ", "), then `extra`. */
function csvOptions(p: z.output<typeof fileSourceParams>, extra: string): string {
  const nulls = `[${p.nullValues.map(sqlString).join(", ")}]`;
  const quote = p.quote === "" ? "''" : sqlString(p.quote);
  return `, header=${p.header}, delim=${sqlString(p.delimiter)}, quote=${quote}, escape=${quote}, nullstr=${nulls}, strict_mode=true, null_padding=false${extra}`;
}

function csvSource(file: string, p: z.output<typeof fileSourceParams>, extra: string): string {
  return `read_csv(${sqlString(file)}${csvOptions(p, extra)})`;
}

/** Re-read a CSV the sniffer rejected, all text, so DuckDB names the first bad line. */
async function diagnoseCsv(c: DuckDBConnection, file: string, p: z.output<typeof fileSourceParams>): Promise<string> {
  const first = (await readFile(file, "utf8")).split(/\r?\n/, 1)[0] ?? "";
  const names = first.split(p.delimiter).map((n, i) => (p.header ? n.replace(/^"|"$/g, "") || `column${i}` : `column${i}`));
  const cols = `{${names.map((n) => `${sqlString(n)}: 'VARCHAR'`).join(", ")}}`;
  try {
    await c.runAndReadAll(`SELECT count(*) FROM ${csvSource(file, p, `, auto_detect=false, columns=${cols}`)}`);
    return "DuckDB could not detect the CSV dialect";
  } catch (e) {
    return messageOf(e);
  }
}

/** Turn a DuckDB error into one line naming the file and (for CSV) the line. */
function dataError(file: string, raw: string): KoanError {
  const line = /CSV Error on Line: (\d+)/.exec(raw)?.[1];
  const lines = raw.split("\n").map((l) => l.trim()).filter(Boolean);
  const reason = lines.find((l) => /Expected Number of Columns|Invalid unicode|unterminated|Could not convert|Value with unterminated quote|Malformed/i.test(l)) ?? lines[lines.length > 2 ? 2 : 0] ?? raw;
  const cleaned = reason.replace(/^(Invalid Input Error|Conversion Error|IO Error): /, "");
  return new KoanError("DATA_INVALID", `${file}${line ? ` line ${line}` : ""}: ${cleaned}`, { details: { file, ...(line ? { line: Number(line) } : {}) } });
}

/** The built-in file source step. */
export const fileSource = step({
  name: "file_source",
  description: "read a CSV, JSON Lines, JSON (array of objects) or Parquet file into a dataset",
  params: fileSourceParams,
  outputs: { dataset: dataset() },
  fingerprint: (p) => sourceFingerprint(p.path),
  run: async (ctx, _inputs, p) => {
    const src = await resolveSourcePath(p.path, join(ctx.scratchDir, "source"));
    const file = src.file;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new KoanError("DATA_INVALID", `${file} does not exist or is not a file`);
    if (info.size === 0) throw new KoanError("DATA_INVALID", `${src.uri || file} is empty`);
    const format = formatOf(src.name, p.format);
    const duck = await openDuckDb();
    try {
      const c = duck.connection;
      let source: string;
      /** The source's columns, when known without asking DuckDB again. */
      let known: { name: string; type: string }[] | undefined;
      if (format === "csv") {
        // Sniffed once (with the declared types, if any); the read then takes the detected dialect as given.
        const sniff = async (hints: string): Promise<SniffedCsv> => {
          try {
            return await sniffCsv(c, file, csvOptions(p, ""), hints);
          } catch (e) {
            const raw = messageOf(e);
            throw dataError(file, /sniffing/i.test(raw) ? await diagnoseCsv(c, file, p) : raw);
          }
        };
        const declared = Object.keys(p.columns ?? {});
        let sniffed = await sniff("");
        const names = sniffed.columns.map((s) => s.name);
        for (const col of declared) {
          if (!names.includes(col)) throw new KoanError("DATA_INVALID", `column "${col}" of the declared schema is not in ${file}`, { hint: `its columns: ${names.join(", ")}` });
        }
        if (declared.length) sniffed = await sniff(`, types={${Object.entries(p.columns ?? {}).map(([k, v]) => `${sqlString(k)}: '${DUCK_TYPE[v]}'`).join(", ")}}`);
        source = sniffed.source;
        known = sniffed.columns;
      } else if (format === "jsonl") {
        source = `read_json(${sqlString(file)}, format='newline_delimited')`;
      } else if (format === "json") {
        source = `read_json(${sqlString(file)}, format='array')`;
      } else {
        source = `read_parquet(${sqlString(file)})`;
      }
      let columns: { name: string; type: string }[];
      if (known) columns = known;
      else {
        try {
          columns = await describe(c, `SELECT * FROM ${source}`);
        } catch (e) {
          throw dataError(file, messageOf(e));
        }
      }
      if (format !== "csv" && p.columns) {
        for (const col of Object.keys(p.columns)) {
          if (!columns.some((x) => x.name === col)) throw new KoanError("DATA_INVALID", `column "${col}" of the declared schema is not in ${file}`, { hint: `its columns: ${columns.map((x) => x.name).join(", ")}` });
        }
      }
      const typed = columns.map((col) => ({ name: col.name, type: p.columns?.[col.name] ? DUCK_TYPE[p.columns[col.name] as keyof typeof DUCK_TYPE] : col.type }));
      const threads = ingestThreads(info.size);
      const writer = await DatasetWriter.create(join(ctx.scratchDir, "dataset"), {
        splits: [p.split],
        shards: p.shards,
        compression: p.compression,
        columns: datasetColumns(typed),
        threads,
        statisticsThread: ingestStatisticsThread(info.size, threads), // the writer opens it only when it counts statistics
        source: { kind: format, uri: src.uri || pathToFileURL(file).href, bytes: info.size },
        statistics: p.statistics !== false, // counted from the column vectors while writing: no second pass
      });
      let rows: number;
      try {
        rows = await writeQuery(c, `${castingSelect(typed, source)}${p.where ? ` WHERE (${p.where})` : ""}`, typed, writer, p.split);
      } catch (e) {
        await writer.abort();
        throw e instanceof KoanError ? e : dataError(file, messageOf(e));
      }
      if (rows === 0) {
        await writer.abort();
        throw new KoanError("DATA_INVALID", p.where ? `no row of ${file} satisfies where: ${p.where}` : `${file} has ${format === "csv" && p.header ? "a header but " : ""}no rows`);
      }
      ctx.log.info(`read ${rows} rows × ${columns.length} columns from ${file}`);
      ctx.log.metric("rows", rows);
      return { dataset: await writer.close() };
    } finally {
      duck.close();
    }
  },
});

export { sqlIdent };
