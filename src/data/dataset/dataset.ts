/**
 * A Koan dataset: immutable named splits of TFRecord shards of `tf.train.Example`. Steps receive a `Dataset`
 * for a `types.dataset()` input and stream its rows, Examples or columnar batches with bounded memory.
 *
 * @example
 * ```ts
 * const stats = step({
 *   name: "count_species",
 *   inputs: { data: types.dataset() },
 *   outputs: { counts: types.json<Record<string, number>>() },
 *   run: async (_ctx, { data }) => {
 *     const counts: Record<string, number> = {};
 *     for await (const row of data.rows("train")) counts[String(row.species)] = (counts[String(row.species)] ?? 0) + 1;
 *     return { counts };
 *   },
 * });
 * ```
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../../core/errors.js";
import { readExamples } from "../example/files.js";
import { rowFromExample, type RowFromExampleOptions, type RowValue } from "../example/rows.js";
import type { Example, FeatureKind } from "../example/types.js";
import { parseSchemaText } from "../schema/pbtxt.js";
import type { Schema } from "../schema/types.js";
import { MANIFEST_FILE, parseManifest, type DatasetManifest } from "./manifest.js";
import { collectBatch, type ColumnBatch } from "./batches.js";
import { parseStoredStatistics, type StoredStatistics } from "./statistics-file.js";

/** Maps a dataset's relative file paths to local files. */
export type FileResolver = (relativePath: string) => Promise<string>;

const BRAND = Symbol.for("koan.dataset");

/** Read access to a dataset. */
export class Dataset {
  readonly [BRAND] = true;

  private constructor(
    /** The manifest. */
    readonly manifest: DatasetManifest,
    private readonly resolve: FileResolver,
    /** A local folder holding the whole dataset, when there is one (a dataset being written, or exported). */
    readonly folder: string | undefined,
  ) {}

  /** Open a dataset folder (one holding `dataset.json`). */
  static async open(folder: string): Promise<Dataset> {
    const file = join(folder, MANIFEST_FILE);
    const text = await readFile(file, "utf8").catch(() => {
      throw new KoanError("NOT_FOUND", `${folder} is not a Koan dataset: it has no ${MANIFEST_FILE}`);
    });
    return new Dataset(parseManifest(text, file), async (rel) => join(folder, ...rel.split("/")), folder);
  }

  /** Open a dataset whose files are resolved one by one (how the materializer reads stored datasets). */
  static async fromResolver(resolve: FileResolver): Promise<Dataset> {
    const file = await resolve(MANIFEST_FILE);
    return new Dataset(parseManifest(await readFile(file, "utf8"), MANIFEST_FILE), resolve, undefined);
  }

  /** True for Dataset objects (also across module copies). */
  static is(value: unknown): value is Dataset {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Split names, in declaration order. */
  get splits(): string[] {
    return Object.keys(this.manifest.splits);
  }

  /** Feature kinds by name. */
  get features(): Readonly<Record<string, FeatureKind>> {
    return this.manifest.features;
  }

  /** Rows of a split (or of all splits). */
  rowCount(split?: string): number {
    if (split === undefined) return Object.values(this.manifest.splits).reduce((n, s) => n + s.rows, 0);
    return this.split(split).rows;
  }

  private split(name: string) {
    const s = this.manifest.splits[name];
    if (!s) throw new KoanError("NOT_FOUND", `the dataset has no split "${name}"`, { hint: `splits: ${this.splits.join(", ") || "none"}` });
    return s;
  }

  /** Every file of the dataset (relative paths): the manifest, the schema, the statistics, the shards. */
  files(): string[] {
    const files = [MANIFEST_FILE, ...(this.manifest.schema ? [this.manifest.schema] : []), ...(this.manifest.statistics ? [this.manifest.statistics] : [])];
    for (const s of Object.values(this.manifest.splits)) files.push(...s.shards);
    return files;
  }

  /** The local path of one of {@link files}. */
  localFile(relativePath: string): Promise<string> {
    return this.resolve(relativePath);
  }

  /** Local paths of a split's shards. */
  async shardPaths(split: string): Promise<string[]> {
    return Promise.all(this.split(split).shards.map((s) => this.resolve(s)));
  }

  /** The dataset's schema, if it carries one. */
  async schema(): Promise<Schema | undefined> {
    if (!this.manifest.schema) return undefined;
    const file = await this.resolve(this.manifest.schema);
    return parseSchemaText(await readFile(file, "utf8"), file);
  }

  /**
   * The statistics computed while the dataset was written (by writers created with `statistics: true`, such as
   * the table sources), or undefined when it carries none (older datasets, most derived ones).
   */
  async storedStatistics(): Promise<StoredStatistics | undefined> {
    if (!this.manifest.statistics) return undefined;
    const file = await this.resolve(this.manifest.statistics);
    return parseStoredStatistics(await readFile(file, "utf8"), file);
  }

  /** Stream the Examples of one shard of a split (`index` into {@link shardPaths}). */
  async *shardExamples(split: string, index: number): AsyncGenerator<Example> {
    const shards = this.split(split).shards;
    const rel = shards[index];
    if (rel === undefined) throw new KoanError("NOT_FOUND", `split "${split}" has no shard ${index}`, { hint: `it has ${shards.length}` });
    yield* readExamples(await this.resolve(rel), { kinds: this.manifest.features });
  }

  /** Stream the Examples of a split, shard by shard (CRCs checked). */
  async *examples(split: string): AsyncGenerator<Example> {
    for (const path of await this.shardPaths(split)) {
      yield* readExamples(path, { kinds: this.manifest.features });
    }
  }

  /** Stream a split as plain rows (`int64` as bigint unless `int64: "number"`). */
  async *rows(split: string, options: RowFromExampleOptions = {}): AsyncGenerator<Record<string, RowValue>> {
    for await (const ex of this.examples(split)) yield rowFromExample(ex, options);
  }

  /** Stream a split as columnar batches of up to `size` rows (typed arrays for numbers). */
  async *batches(split: string, size = 1024): AsyncGenerator<ColumnBatch> {
    if (!Number.isInteger(size) || size < 1) throw new KoanError("USAGE", `batch size must be a whole number ≥ 1, got ${size}`);
    let pending: Example[] = [];
    for await (const ex of this.examples(split)) {
      pending.push(ex);
      if (pending.length === size) {
        yield collectBatch(pending, this.manifest.features);
        pending = [];
      }
    }
    if (pending.length) yield collectBatch(pending, this.manifest.features);
  }

  /** The first `n` rows of a split. */
  async sample(split: string, n = 5, options: RowFromExampleOptions = {}): Promise<Record<string, RowValue>[]> {
    const out: Record<string, RowValue>[] = [];
    if (n <= 0) return out;
    for await (const row of this.rows(split, options)) {
      out.push(row);
      if (out.length >= n) break;
    }
    return out;
  }
}
