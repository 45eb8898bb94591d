/**
 * The statistics of a dataset's splits: those stored with it when it was written (no second pass), else
 * computed now, one accumulator per shard merged in shard order. Both give the same numbers, because a writer
 * that stores statistics keeps one accumulator per (round-robin) shard and merges them the same way.
 * @module
 */
import { StatisticsAccumulator } from "../stats/accumulator.js";
import { resolveStatsOptions, sameStatsOptions, type StatsOptions } from "../stats/options.js";
import type { DatasetStatistics } from "../stats/types.js";
import type { Dataset } from "./dataset.js";

/** Options of {@link datasetStatistics}. */
export interface DatasetStatisticsOptions {
  /** Only this split (default: every split, in order). */
  split?: string;
  /** Statistics options; stored statistics are used only when they were computed with the same ones. */
  stats?: StatsOptions;
  /** Ignore stored statistics and read the data (default false). */
  recompute?: boolean;
}

/** The statistics of one split computed by reading its shards (one accumulator per shard, merged in order). */
export async function computeSplitStatistics(dataset: Dataset, split: string, options: StatsOptions = {}): Promise<DatasetStatistics> {
  const shards = (await dataset.shardPaths(split)).length;
  const parts: StatisticsAccumulator[] = [];
  for (let i = 0; i < shards; i++) {
    const acc = new StatisticsAccumulator(options);
    for await (const ex of dataset.shardExamples(split, i)) acc.add(ex);
    parts.push(acc);
  }
  return StatisticsAccumulator.mergeAll(parts, options).finish({ name: split });
}

/**
 * Statistics of a dataset's splits (see the module comment), and whether they were stored with it. Either way
 * they are plain JSON data (a non-finite number such as the NaN standard deviation of a feature with infinities
 * is null), as a `statistics` step records them.
 * @example
 * ```ts
 * const { statistics, stored } = await datasetStatistics(dataset, { split: "train" });
 * ```
 */
export async function datasetStatistics(dataset: Dataset, options: DatasetStatisticsOptions = {}): Promise<{ statistics: DatasetStatistics[]; stored: boolean }> {
  const splits = options.split !== undefined ? [options.split] : dataset.splits;
  for (const s of splits) dataset.rowCount(s); // a clear error for an unknown split
  if (!options.recompute) {
    const stored = await dataset.storedStatistics();
    if (stored && sameStatsOptions(stored.options, resolveStatsOptions(options.stats))) {
      const found = splits.map((s) => stored.splits.find((x) => x.name === s));
      if (found.every((x) => x !== undefined)) return { statistics: found as DatasetStatistics[], stored: true };
    }
  }
  const statistics: DatasetStatistics[] = [];
  for (const s of splits) statistics.push(await computeSplitStatistics(dataset, s, options.stats));
  return { statistics: JSON.parse(JSON.stringify(statistics)) as DatasetStatistics[], stored: false };
}
