/**
 * Writing a dataset: rows or Examples per split, spread round-robin over a fixed number of gzip TFRecord shards
 * per split (so the same rows in the same order always give the same bytes), then a manifest. Nothing is
 * visible under its final name until `close()`.
 *
 * Shards are gzip level 1 by default (about three times faster to write than zlib's default level 6, for about
 * 12% larger files); readers detect compression from the bytes, so datasets written at any level read alike.
 * With `statistics: true` the writer also computes every split's statistics as rows arrive (one accumulator per
 * shard, merged in shard order) and stores them as `statistics.json`, so no second pass is needed.
 *
 * Table sources hand rows over as typed column chunks ({@link DatasetWriter.appendColumns}); with `threads` above 1
 * those are encoded, compressed and counted on worker threads, each owning some of the shards (see
 * shard-pool.ts). The files and statistics are the same for any number of threads.
 *
 * @example
 * ```ts
 * const w = await DatasetWriter.create(join(ctx.scratchDir, "data"), { splits: ["train", "eval"], shards: 2 });
 * await w.write("train", { x: 1.5, label: "a" });
 * const dataset = await w.close();   // return it from a step as a types.dataset() output
 * ```
 * @module
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../../core/errors.js";
import { canonicalJson, type JsonValue } from "../../core/hash.js";
import { encodeExample } from "../example/encode.js";
import { ExampleChunkEncoder } from "../example/chunk-encoder.js";
import type { RowEncoderColumn } from "../example/row-encoder.js";
import { exampleFromRow, type Row } from "../example/rows.js";
import type { Example, FeatureKind } from "../example/types.js";
import { formatSchemaText } from "../schema/pbtxt.js";
import type { Schema } from "../schema/types.js";
import { StatisticsAccumulator } from "../stats/accumulator.js";
import type { NumericStatsColumn, StatsColumn } from "../stats/columns.js";
import { resolveStatsOptions, type StatsOptions } from "../stats/options.js";
import { ShardedTFRecordWriter } from "../tfrecord/sharded-writer.js";
import type { ColumnChunk } from "./column-chunk.js";
import { Dataset } from "./dataset.js";
import { ShardPool } from "./shard-pool.js";
import { StatisticsThread } from "./stats-thread.js";
import { formatStoredStatistics, STATISTICS_FILE } from "./statistics-file.js";
import { checkSplitName, DATASET_FORMAT_VERSION, MANIFEST_FILE, type DatasetManifest } from "./manifest.js";

/** Options of {@link DatasetWriter.create}. */
export interface DatasetWriterOptions {
  /** Split names, in order. */
  splits: readonly string[];
  /** Shards per split (default 1); a number for all, or per split. */
  shards?: number | Readonly<Record<string, number>>;
  compression?: "gzip" | "none";
  /** gzip level 0-9 of the shards (default 1). */
  gzipLevel?: number;
  /**
   * Compute every split's statistics while writing and store them with the dataset (default false): `true` for
   * the default statistics options, or the options. Rows added with {@link DatasetWriter.write} are counted
   * automatically; rows appended as encoded bytes need {@link DatasetWriter.addColumnStatistics}, else no
   * statistics are stored.
   */
  statistics?: boolean | StatsOptions;
  /** Known feature kinds (from a declared schema); others are inferred from the first non-empty value. */
  kinds?: Readonly<Record<string, FeatureKind>>;
  /**
   * The columns of the chunks given to {@link DatasetWriter.appendColumns}, in order (their kinds are added to
   * `kinds`). Needed only by table sources.
   */
  columns?: readonly RowEncoderColumn[];
  /**
   * Threads that encode and compress column chunks (default 1: the calling thread). Above 1, every split is
   * written by that many worker threads (at most one per shard), and only {@link DatasetWriter.appendColumns}
   * may add rows. The output does not depend on it.
   */
  threads?: number;
  /**
   * Count the statistics of numeric columns on a worker thread (one per split written by the calling thread;
   * default false), while the calling thread encodes, writes and counts the string columns: for large table
   * sources on machines whose calling thread is the bottleneck. The statistics do not depend on it.
   */
  statisticsThread?: boolean;
  /** Provenance recorded in the manifest. */
  source?: { [key: string]: JsonValue };
}

/** Writes one dataset into a new folder. */
export class DatasetWriter {
  private readonly kinds = new Map<string, FeatureKind>();
  private readonly rows = new Map<string, number>();
  private schemaText: string | undefined;
  private closed = false;
  /** Per split, one statistics accumulator per shard (when statistics are on). */
  private readonly stats: Map<string, StatisticsAccumulator[]> | undefined;
  /** Per split, rows the statistics account for. */
  private readonly statsRows = new Map<string, number>();
  private encoder: ExampleChunkEncoder | undefined;
  /** Per split, the thread counting its numeric columns (with `statisticsThread`). */
  private readonly statsThreads = new Map<string, StatisticsThread>();
  /** Per split, what its statistics thread counted, merged over the shards (set on close). */
  private readonly threadStats = new Map<string, StatisticsAccumulator>();
  /** Set when a statistics thread is behind: the next append says so. */
  private statsBehind = false;

  private constructor(
    readonly folder: string,
    private readonly options: DatasetWriterOptions,
    private readonly writers: Map<string, ShardedTFRecordWriter>,
    /** Per split, the threads writing it (when `threads` > 1). */
    private readonly pools: Map<string, ShardPool>,
  ) {
    for (const [k, v] of Object.entries(options.kinds ?? {})) this.kinds.set(k, v);
    for (const c of options.columns ?? []) this.kinds.set(c.name, c.kind);
    for (const s of options.splits) this.rows.set(s, 0);
    if (options.statistics) {
      const statsOptions = options.statistics === true ? {} : options.statistics;
      this.stats = new Map();
      for (const [s, w] of writers) {
        this.stats.set(s, Array.from({ length: w.paths.length }, () => new StatisticsAccumulator(statsOptions)));
        this.statsRows.set(s, 0);
      }
      for (const s of pools.keys()) this.statsRows.set(s, 0); // the threads count; their accumulators arrive on close
      if (options.statisticsThread) for (const [s, w] of writers) this.statsThreads.set(s, StatisticsThread.open(w.paths.length, statsOptions));
    }
  }

  /** Create the folder (it must not hold a dataset yet) and open every shard. */
  static async create(folder: string, options: DatasetWriterOptions): Promise<DatasetWriter> {
    if (!options.splits.length) throw new KoanError("USAGE", "a dataset needs at least one split");
    const seen = new Set<string>();
    for (const s of options.splits) {
      checkSplitName(s);
      if (seen.has(s)) throw new KoanError("USAGE", `split "${s}" is named twice`);
      seen.add(s);
    }
    await mkdir(folder, { recursive: true });
    const writers = new Map<string, ShardedTFRecordWriter>();
    const pools = new Map<string, ShardPool>();
    if (options.statistics && options.statistics !== true) new StatisticsAccumulator(options.statistics); // checks the options
    const threads = options.threads ?? 1;
    if (!(Number.isInteger(threads) && threads >= 1)) throw new KoanError("USAGE", `threads must be a positive integer, got ${threads}`);
    if (threads > 1 && !options.columns) throw new KoanError("USAGE", "a dataset written by threads needs its columns", { hint: "pass columns: [{ name, kind }, ...] and add rows with appendColumns" });
    const encoder = options.columns ? new ExampleChunkEncoder(options.columns) : undefined; // checks the columns
    try {
      for (const s of options.splits) {
        const shardCount = typeof options.shards === "number" ? options.shards : (options.shards?.[s] ?? 1);
        const shardOptions = { directory: join(folder, s), shardCount, compression: options.compression ?? "gzip", gzipLevel: options.gzipLevel ?? 1 };
        if (threads > 1 && shardCount > 1) {
          const statistics = options.statistics ? (options.statistics === true ? {} : options.statistics) : null;
          pools.set(s, ShardPool.open({ paths: ShardedTFRecordWriter.pathsOf(shardOptions), columns: options.columns ?? [], threads, compression: shardOptions.compression, gzipLevel: shardOptions.gzipLevel, statistics }));
        } else {
          writers.set(s, await ShardedTFRecordWriter.open(shardOptions));
        }
      }
    } catch (e) {
      await Promise.all([...writers.values()].map((w) => w.abort()));
      await Promise.all([...pools.values()].map((p) => p.abort()));
      throw e;
    }
    const writer = new DatasetWriter(folder, options, writers, pools);
    writer.encoder = encoder;
    return writer;
  }

  /** Rows written to a split so far. */
  count(split: string): number {
    return this.rows.get(split) ?? 0;
  }

  /** Append a row (converted with the known kinds) or an Example to a split. */
  async write(split: string, row: Row | Example): Promise<void> {
    const writer = this.rowWriter(split);
    const index = this.rows.get(split) ?? 0;
    const example = row instanceof Map ? (row as Example) : exampleFromRow(row as Row, { kinds: this.kinds });
    for (const [name, f] of example) {
      const known = this.kinds.get(name);
      if (known === undefined) {
        if (f.values.length > 0 || f.kind !== "bytes") this.kinds.set(name, f.kind);
      } else if (known !== f.kind && f.values.length > 0) {
        throw new KoanError("DATA_INVALID", `feature "${name}" is ${f.kind} in row ${index} of split "${split}", but ${known} before`, { details: { feature: name, row: index, split } });
      }
    }
    await writer.write(encodeExample(example));
    this.rows.set(split, index + 1);
    const accs = this.stats?.get(split);
    if (accs) {
      (accs[index % accs.length] as StatisticsAccumulator).add(example);
      this.statsRows.set(split, (this.statsRows.get(split) ?? 0) + 1);
    }
  }

  /**
   * Append one already encoded Example (exactly the bytes `encodeExample` gives) to a split, for sources that
   * encode rows themselves (see `ExampleRowEncoder`). Every feature it holds must have been declared in `kinds`
   * when the writer was created: nothing is checked here. The bytes are copied before this returns.
   */
  writeEncoded(split: string, record: Uint8Array): Promise<void> {
    const writer = this.rowWriter(split);
    this.rows.set(split, (this.rows.get(split) ?? 0) + 1);
    return writer.write(record);
  }

  /**
   * Append one already encoded Example like {@link writeEncoded}, without a promise per record: returns true
   * when the output is behind, and the caller should then await {@link drained}.
   */
  appendEncoded(split: string, record: Uint8Array): boolean {
    const writer = this.rowWriter(split);
    this.rows.set(split, (this.rows.get(split) ?? 0) + 1);
    return writer.append(record) || this.takeBehind();
  }

  /**
   * Append a chunk of rows given as columns (those declared in `columns`, in order) to a split, and count them in
   * its statistics (when on): the same records as appending each row's Example. Returns true when the output is
   * behind, and the caller should then await {@link drained}.
   * @example
   * ```ts
   * const w = await DatasetWriter.create(dir, { splits: ["all"], columns: [{ name: "x", kind: "float" }], statistics: true });
   * const xs = new Float64Array([0.5, 1.5]);
   * if (w.appendColumns("all", { rows: 2, columns: [{ data: { kind: "float", values: xs, valid: null }, stats: { name: "x", kind: "float", values: xs, valid: null } }] })) await w.drained();
   * ```
   */
  appendColumns(split: string, chunk: ColumnChunk): boolean {
    const encoder = this.encoder;
    if (!encoder) throw new KoanError("USAGE", "appendColumns needs the writer's columns", { hint: "pass columns: [{ name, kind }, ...] to DatasetWriter.create" });
    if (chunk.columns.length !== (this.options.columns ?? []).length) {
      throw new KoanError("USAGE", `a chunk of ${chunk.columns.length} columns was given to a writer of ${(this.options.columns ?? []).length}`);
    }
    const pool = this.pools.get(split);
    if (pool) {
      const behind = pool.append(chunk);
      this.rows.set(split, (this.rows.get(split) ?? 0) + chunk.rows);
      if (this.stats) this.statsRows.set(split, (this.statsRows.get(split) ?? 0) + chunk.rows);
      return behind;
    }
    const writer = this.rowWriter(split);
    const data = chunk.columns.map((c) => c.data);
    encoder.load(data, chunk.rows);
    const behind = writer.appendChunk(chunk.rows, (_shard, first, step) => encoder.encodeFramed(first, step));
    this.rows.set(split, (this.rows.get(split) ?? 0) + chunk.rows);
    this.addColumnStatistics(split, chunk.columns.map((c) => c.stats), chunk.rows);
    return this.takeBehind() || behind;
  }

  /** Resolves when no shard of any split is behind. */
  async drained(): Promise<void> {
    await Promise.all([...this.writers.values()].map((w) => w.drained()));
    await Promise.all([...this.pools.values()].map((p) => p.drained()));
    await Promise.all([...this.statsThreads.values()].map((t) => t.drained()));
  }

  /** Whether a statistics thread fell behind since the last call. */
  private takeBehind(): boolean {
    const behind = this.statsBehind;
    this.statsBehind = false;
    return behind;
  }

  private rowWriter(split: string): ShardedTFRecordWriter {
    const writer = this.writers.get(split);
    if (writer) return writer;
    if (this.pools.has(split)) throw new KoanError("USAGE", `split "${split}" is written by threads: add its rows with appendColumns`);
    throw new KoanError("USAGE", `the dataset being written has no split "${split}"`, { hint: `splits: ${this.options.splits.join(", ")}` });
  }

  /**
   * Count the last `rows` rows appended to `split` as encoded bytes in its statistics (when statistics are on;
   * otherwise nothing happens): `columns` hold exactly those rows, one single-valued feature per column.
   * @example
   * ```ts
   * for (let r = 0; r < n; r++) if (writer.appendEncoded("all", encoder.encode(row(r)))) await writer.drained();
   * writer.addColumnStatistics("all", [{ name: "x", kind: "float", values: xs, valid: null }], n);
   * ```
   */
  addColumnStatistics(split: string, columns: readonly StatsColumn[], rows: number): void {
    if (this.pools.has(split)) throw new KoanError("USAGE", `split "${split}" is written by threads, which count its statistics`, { hint: "add its rows with appendColumns" });
    const accs = this.stats?.get(split);
    if (!accs || rows <= 0) return;
    const base = (this.rows.get(split) ?? 0) - rows;
    const covered = this.statsRows.get(split) ?? 0;
    if (base !== covered) {
      throw new KoanError("USAGE", `statistics of split "${split}" cover ${covered} rows, but these ${rows} columns start at row ${base}`, { hint: "call addColumnStatistics after every chunk of appended rows" });
    }
    let here = columns;
    const thread = this.statsThreads.get(split);
    if (thread) {
      const numeric = columns.filter((c): c is NumericStatsColumn => c.kind !== "bytes");
      if (thread.add(numeric, rows)) this.statsBehind = true; // also with no numeric columns: it counts the rows
      here = columns.filter((c) => c.kind === "bytes"); // counted here, with the rows themselves
    }
    const shards = accs.length;
    for (let s = 0; s < shards; s++) {
      const first = (((s - base) % shards) + shards) % shards; // the first row of the chunk that goes to shard s
      (accs[s] as StatisticsAccumulator).addColumns(here, rows, first, shards);
    }
    this.statsRows.set(split, base + rows);
  }

  /** Attach a schema (written as `schema.pbtxt`). */
  setSchema(schema: Schema): void {
    this.schemaText = formatSchemaText(schema);
  }

  /** Finish every shard, write the manifest, and open the result. */
  async close(): Promise<Dataset> {
    if (this.closed) throw new KoanError("USAGE", "the dataset writer is already closed");
    this.closed = true;
    const splits: Record<string, { rows: number; shards: string[] }> = {};
    try {
      for (const name of this.options.splits) {
        const pool = this.pools.get(name);
        let paths: readonly string[];
        if (pool) {
          const { statistics } = await pool.close();
          if (statistics && this.stats) this.stats.set(name, statistics);
          paths = pool.paths;
        } else {
          // The shards' last writes and the statistics thread's last chunks finish side by side.
          const thread = this.statsThreads.get(name);
          const [written, counted] = await Promise.all([(this.writers.get(name) as ShardedTFRecordWriter).close(), thread?.close()]);
          paths = written;
          if (counted) this.threadStats.set(name, counted);
        }
        splits[name] = { rows: this.rows.get(name) ?? 0, shards: paths.map((p) => `${name}/${p.slice(p.lastIndexOf("/") + 1)}`) };
      }
    } catch (e) {
      // A statistics thread of a split not yet closed must not outlive the writer (terminating one twice is harmless).
      await Promise.all([...this.statsThreads.values()].map((t) => t.abort()));
      throw e;
    }
    if (this.schemaText !== undefined) await writeFile(join(this.folder, "schema.pbtxt"), this.schemaText);
    let statistics: string | null = null;
    if (this.stats && [...this.rows].every(([name, n]) => this.statsRows.get(name) === n)) {
      const options = resolveStatsOptions(this.options.statistics === true ? {} : (this.options.statistics as StatsOptions));
      const stats = this.stats;
      const splitStats = this.options.splits.map((name) => {
        const merged = StatisticsAccumulator.mergeAll(stats.get(name) ?? [], options);
        const counted = this.threadStats.get(name);
        return (counted ? merged.addFeaturesOf(counted) : merged).finish({ name });
      });
      await writeFile(join(this.folder, STATISTICS_FILE), formatStoredStatistics({ options, splits: splitStats }));
      statistics = STATISTICS_FILE;
    }
    const features = Object.fromEntries([...this.kinds.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const manifest: DatasetManifest = {
      format: "koan.dataset",
      version: DATASET_FORMAT_VERSION,
      compression: this.options.compression ?? "gzip",
      features,
      splits,
      schema: this.schemaText !== undefined ? "schema.pbtxt" : null,
      ...(statistics ? { statistics } : {}),
      source: this.options.source ?? null,
    };
    await writeFile(join(this.folder, MANIFEST_FILE), `${JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 1)}\n`);
    return Dataset.open(this.folder);
  }

  /** Discard everything written. */
  async abort(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.writers.values()].map((w) => w.abort()));
    await Promise.all([...this.pools.values()].map((p) => p.abort()));
    await Promise.all([...this.statsThreads.values()].map((t) => t.abort()));
    await rm(this.folder, { recursive: true, force: true });
  }
}
