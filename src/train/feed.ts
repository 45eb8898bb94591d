/**
 * Feeding a split to a trainer in batches of packed float32 rows. A split that fits in `inMemoryLimitBytes`
 * (packed, not as Examples) is decoded once and shuffled fully each epoch (like `tf.data`'s `cache()` +
 * `shuffle(all)`); a larger split is streamed from its TFRecord shards every epoch, shards in a seeded order
 * through a seeded shuffle buffer, so memory stays bounded. Either way the order depends only on the `Rng` given.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import type { Dataset } from "../data/dataset/dataset.js";
import { readExamples } from "../data/example/files.js";
import type { Example } from "../data/example/types.js";
import type { FeatureSpec } from "./feature-spec.js";
import { LabelEncoder } from "./labels.js";
import { layoutOf, packExample, type FeatureLayout } from "./layout.js";

/** One batch: `n` rows of `x` (row-major, `layout.width` floats each) and their encoded labels `y`. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly n: number;
}

/** Options of {@link openFeed}. */
export interface FeedOptions {
  /** Keep the packed split in memory when it needs at most this many bytes (default 256 MiB). */
  inMemoryLimitBytes?: number;
  /** Rows in the shuffle buffer of a streamed split (default 10,000). */
  shuffleBuffer?: number;
}

/** A split ready to be fed in batches. */
export interface SplitFeed {
  readonly split: string;
  readonly rows: number;
  readonly layout: FeatureLayout;
  /** True when the split was decoded into memory once. */
  readonly inMemory: boolean;
  /** Rows per class index (classification), or undefined (regression). */
  readonly classCounts: readonly number[] | undefined;
  /** One pass over the split; with `rng` in a shuffled order, without it in file order. */
  batches(size: number, rng?: Rng): AsyncGenerator<Batch>;
}

const DEFAULT_LIMIT = 256 * 1024 * 1024;

/** Reads a split once: checks every row, counts classes, and packs it when `into` is given. */
async function scan(
  dataset: Dataset,
  split: string,
  spec: FeatureSpec,
  layout: FeatureLayout,
  into: { x: Float32Array; y: Float32Array } | undefined,
): Promise<{ rows: number; classCounts: number[] | undefined }> {
  const labels = new LabelEncoder(spec.label);
  const counts: number[] | undefined = spec.label.kind === "regression" ? undefined : [];
  const scratch = new Float32Array(layout.width);
  let row = 0;
  const where = () => `row ${row} of split "${split}"`;
  for await (const ex of dataset.examples(split)) {
    if (into && row >= into.y.length) throw new KoanError("DATA_INVALID", `split "${split}" holds more rows than its manifest says (${into.y.length})`);
    const y = labels.fromFeature(ex.get(spec.label.name), where);
    if (into) {
      packExample(ex, layout, into.x, row, where);
      into.y[row] = y;
    } else packExample(ex, layout, scratch, 0, where);
    if (counts) counts[y] = (counts[y] ?? 0) + 1;
    row++;
  }
  if (counts) for (let i = 0; i < counts.length; i++) counts[i] ??= 0;
  return { rows: row, classCounts: counts };
}

/**
 * Open a split for feeding: every row is checked once here (missing or misshapen features, bad labels), so
 * training never fails half-way on data.
 */
export async function openFeed(dataset: Dataset, split: string, spec: FeatureSpec, options: FeedOptions = {}): Promise<SplitFeed> {
  if (!dataset.splits.includes(split)) {
    throw new KoanError("DATA_INVALID", `the dataset has no split "${split}"`, { hint: `splits: ${dataset.splits.join(", ") || "none"}` });
  }
  const layout = layoutOf(spec);
  const expected = dataset.rowCount(split);
  const bytes = expected * (layout.width + 1) * 4;
  if (bytes <= (options.inMemoryLimitBytes ?? DEFAULT_LIMIT)) {
    const x = new Float32Array(expected * layout.width);
    const y = new Float32Array(expected);
    const { rows, classCounts } = await scan(dataset, split, spec, layout, { x, y });
    if (rows !== expected) throw new KoanError("DATA_INVALID", `split "${split}" holds ${rows} rows, its manifest says ${expected}`);
    return memoryFeed(split, layout, x, y, rows, classCounts);
  }
  const { rows, classCounts } = await scan(dataset, split, spec, layout, undefined);
  return streamFeed(dataset, split, spec, layout, rows, classCounts, Math.max(1, options.shuffleBuffer ?? 10_000));
}

function memoryFeed(split: string, layout: FeatureLayout, x: Float32Array, y: Float32Array, rows: number, classCounts: number[] | undefined): SplitFeed {
  const w = layout.width;
  return {
    split,
    rows,
    layout,
    inMemory: true,
    classCounts,
    async *batches(size, rng) {
      if (!rng) {
        for (let start = 0; start < rows; start += size) {
          const end = Math.min(rows, start + size);
          yield { x: x.subarray(start * w, end * w), y: y.subarray(start, end), n: end - start };
        }
        return;
      }
      const order = new Uint32Array(rows);
      for (let i = 0; i < rows; i++) order[i] = i;
      for (let i = rows - 1; i > 0; i--) {
        const j = Math.floor(rng.next() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      for (let start = 0; start < rows; start += size) {
        const n = Math.min(size, rows - start);
        // Fresh arrays per batch: the pure-JS backend may keep a reference to the data of a tensor made from them.
        const bx = new Float32Array(n * w);
        const by = new Float32Array(n);
        for (let k = 0; k < n; k++) {
          const r = order[start + k] as number;
          if (w === 1) bx[k] = x[r] as number;
          else bx.set(x.subarray(r * w, r * w + w), k * w);
          by[k] = y[r] as number;
        }
        yield { x: bx, y: by, n };
      }
    },
  };
}

function streamFeed(
  dataset: Dataset,
  split: string,
  spec: FeatureSpec,
  layout: FeatureLayout,
  rows: number,
  classCounts: number[] | undefined,
  bufferRows: number,
): SplitFeed {
  const w = layout.width;
  const labels = new LabelEncoder(spec.label);
  async function* examples(rng: Rng | undefined): AsyncGenerator<Example> {
    const paths = await dataset.shardPaths(split);
    if (rng) rng.shuffle(paths);
    for (const p of paths) yield* readExamples(p, { kinds: dataset.features });
  }
  return {
    split,
    rows,
    layout,
    inMemory: false,
    classCounts,
    async *batches(size, rng) {
      let bx = new Float32Array(size * w);
      let by = new Float32Array(size);
      let n = 0;
      const where = () => `a row of split "${split}"`;
      const take = (src: Float32Array, srcRow: number, label: number): Batch | undefined => {
        bx.set(src.subarray(srcRow * w, srcRow * w + w), n * w);
        by[n++] = label;
        if (n < size) return undefined;
        const full = { x: bx, y: by, n };
        bx = new Float32Array(size * w);
        by = new Float32Array(size);
        n = 0;
        return full;
      };
      if (!rng) {
        const one = new Float32Array(w);
        for await (const ex of examples(undefined)) {
          packExample(ex, layout, one, 0, where);
          const b = take(one, 0, labels.fromFeature(ex.get(spec.label.name), where));
          if (b) yield b;
        }
      } else {
        // Shuffle buffer: the next row out is a random one of the buffer, replaced by the next row read.
        const cap = Math.min(bufferRows, Math.max(1, rows));
        const bufX = new Float32Array(cap * w);
        const bufY = new Float32Array(cap);
        const incoming = new Float32Array(w);
        let filled = 0;
        for await (const ex of examples(rng)) {
          const label = labels.fromFeature(ex.get(spec.label.name), where);
          if (filled < cap) {
            packExample(ex, layout, bufX, filled, where);
            bufY[filled++] = label;
            continue;
          }
          packExample(ex, layout, incoming, 0, where);
          const j = Math.floor(rng.next() * cap);
          const b = take(bufX, j, bufY[j] as number);
          bufX.set(incoming, j * w);
          bufY[j] = label;
          if (b) yield b;
        }
        while (filled > 0) {
          const j = Math.floor(rng.next() * filled);
          const b = take(bufX, j, bufY[j] as number);
          filled--;
          bufX.copyWithin(j * w, filled * w, filled * w + w);
          bufY[j] = bufY[filled] as number;
          if (b) yield b;
        }
      }
      if (n > 0) yield { x: bx.subarray(0, n * w), y: by.subarray(0, n), n };
    },
  };
}
