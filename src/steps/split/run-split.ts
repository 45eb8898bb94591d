/**
 * The driver shared by the split steps: read the input splits row by row (split order, then shard order),
 * assign each row to an output split (or skip it), write, count rows per split and per category, warn about
 * empty splits, record the counts as metrics and in the dataset's manifest (`source.counts`). On any error
 * the output is discarded.
 * @module
 */
import { join } from "node:path";
import { KoanError } from "../../core/errors.js";
import type { JsonValue } from "../../core/hash.js";
import type { StepContext } from "../../core/step.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import type { Example } from "../../data/example/types.js";
import { withRow, type RowLocation } from "../../transform/apply.js";
import { exampleScalar } from "../../transform/values.js";

/** Where a row was read. */
export interface ReadLocation extends RowLocation {
  readonly split: string;
}

/** Categories recorded per split (at most this many; the rest are summed as "(other)"). */
const MAX_CATEGORIES = 1000;
const MAX_CATEGORY_METRICS = 100;

/** What a split step does. */
export interface SplitJob {
  /** Name of the method, recorded in the manifest. */
  readonly method: string;
  /** Output splits, in order. */
  readonly splits: readonly string[];
  readonly shards: Readonly<Record<string, number>>;
  /** Input splits to read. */
  readonly from: readonly string[];
  /** Facts recorded with the counts (seed, ratios, cut points, ...). */
  readonly details: { readonly [key: string]: JsonValue };
  /** The output split of a row, or null to drop it. */
  assign(example: Example, at: ReadLocation): string | null;
  /** The category of a row, for per-category counts. */
  category?(example: Example): string | null;
}

/** The input splits to read: `from`, checked, or all. */
export function inputSplits(data: Dataset, from: readonly string[] | undefined): string[] {
  if (!from) return data.splits;
  for (const s of from) if (!data.splits.includes(s)) throw new KoanError("DATA_INVALID", `the dataset has no split "${s}"`, { hint: `its splits: ${data.splits.join(", ")}` });
  return [...from];
}

/** Visit every row of the input splits (errors get the row's location). */
export async function scanRows(ctx: StepContext, data: Dataset, from: readonly string[], visit: (example: Example, at: ReadLocation) => void): Promise<void> {
  for (const split of from) {
    let row = 0;
    for await (const ex of data.examples(split)) {
      ctx.signal.throwIfAborted();
      const at = { split, row };
      try {
        visit(ex, at);
      } catch (e) {
        throw withRow(e, at);
      }
      row++;
    }
  }
}

/** Check that `column` exists and is a string (bytes) column, as categorical splits need. */
export function requireCategorical(data: Dataset, column: string): void {
  const kind = data.features[column];
  if (kind === undefined) {
    throw new KoanError("DATA_INVALID", `split column "${column}" is not a column of the dataset`, { hint: `its columns: ${Object.keys(data.features).join(", ")}`, details: { feature: column } });
  }
  if (kind !== "bytes") {
    throw new KoanError("DATA_INVALID", `categorical split on column "${column}", which is numeric (${kind}); categorical splits need a string column`, {
      hint: `use a ratio or time split, or read "${column}" as a string in the source (columns: { "${column}": "bytes" })`,
      details: { feature: column },
    });
  }
}

/** Check that key columns exist. */
export function requireColumns(data: Dataset, columns: readonly string[] | undefined, what: string): void {
  for (const c of columns ?? []) {
    if (data.features[c] === undefined) throw new KoanError("DATA_INVALID", `${what} "${c}" is not a column of the dataset`, { hint: `its columns: ${Object.keys(data.features).join(", ")}`, details: { feature: c } });
  }
}

/** The category (string) of a row, or null when missing. */
export function categoryValue(example: Example, column: string): string | null {
  return exampleScalar(example, column, "bytes") as string | null;
}

/** Run a split job: write the output dataset and record counts. */
export async function writeSplits(ctx: StepContext, data: Dataset, job: SplitJob): Promise<Dataset> {
  const rows: Record<string, number> = Object.fromEntries(job.splits.map((s) => [s, 0]));
  let skipped = 0;
  const perCategory = new Map<string, Record<string, number>>();
  const catKey = (c: string | null): string => (c === null ? "(missing)" : perCategory.size >= MAX_CATEGORIES && !perCategory.has(c) ? "(other)" : c);
  // The writer reads `source` when it closes, so the counts added below land in the manifest.
  const source: { [key: string]: JsonValue } = { kind: "split", method: job.method, ...job.details, from: data.manifest.source };
  const writer = await DatasetWriter.create(join(ctx.scratchDir, "split"), { splits: job.splits, shards: job.shards, kinds: data.features, source });
  try {
    for (const split of job.from) {
      let row = 0;
      for await (const ex of data.examples(split)) {
        ctx.signal.throwIfAborted();
        const at = { split, row };
        let target: string | null;
        try {
          target = job.assign(ex, at);
        } catch (e) {
          throw withRow(e, at);
        }
        const label = target ?? "(skipped)";
        if (target === null) skipped++;
        else {
          if (rows[target] === undefined) throw new KoanError("INTERNAL", `split step assigned row ${row} to unknown split "${target}"`);
          rows[target]++;
          await writer.write(target, ex);
        }
        if (job.category) {
          const key = catKey(job.category(ex));
          const counts = perCategory.get(key) ?? {};
          counts[label] = (counts[label] ?? 0) + 1;
          perCategory.set(key, counts);
        }
        row++;
      }
    }
  } catch (e) {
    await writer.abort();
    throw e;
  }
  for (const s of job.splits) {
    ctx.log.metric(`rows.${s}`, rows[s] as number);
    if (rows[s] === 0) ctx.log.warn(`split "${s}" is empty`);
  }
  if (skipped) {
    ctx.log.metric("rows.skipped", skipped);
    ctx.log.info(`${skipped} rows were not assigned to any split`);
  }
  const categories = [...perCategory.keys()].sort();
  for (const c of categories.slice(0, MAX_CATEGORY_METRICS)) {
    for (const [s, n] of Object.entries(perCategory.get(c) ?? {})) ctx.log.metric(`rows.${s}.${c}`, n);
  }
  ctx.log.info(`${job.method} split: ${job.splits.map((s) => `${s} ${rows[s]}`).join(", ")}${skipped ? `, skipped ${skipped}` : ""}`);
  const counts: { [key: string]: JsonValue } = { rows, skipped };
  if (job.category) counts.categories = Object.fromEntries(categories.map((c) => [c, perCategory.get(c) as Record<string, number>]));
  source.counts = counts;
  return writer.close();
}
