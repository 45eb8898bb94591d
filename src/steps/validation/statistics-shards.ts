/**
 * The shards of the `statistics` step: one per shard of each split (in split, then shard order), each the JSON
 * state of a statistics accumulator over that shard; the merge combines each split's states in shard order —
 * exactly what reading the splits in one pass does, so sharded and unsharded runs give the same statistics. A
 * dataset that carries statistics computed while it was written has no shards to read: the merge returns those.
 * @module
 */
import type { JsonValue } from "../../core/hash.js";
import type { StepContext } from "../../core/step.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import { datasetStatistics } from "../../data/dataset/statistics.js";
import { StatisticsAccumulator } from "../../data/stats/accumulator.js";
import { resolveStatsOptions, sameStatsOptions } from "../../data/stats/options.js";
import type { DatasetStatistics } from "../../data/stats/types.js";

/** One shard's partial result. */
interface ShardState {
  [key: string]: JsonValue;
  split: string;
  state: JsonValue;
}

/** Every (split, shard) of a dataset, in order. */
async function shardList(dataset: Dataset): Promise<{ split: string; shard: number }[]> {
  const out: { split: string; shard: number }[] = [];
  for (const split of dataset.splits) {
    const n = (await dataset.shardPaths(split)).length;
    for (let shard = 0; shard < n; shard++) out.push({ split, shard });
  }
  return out;
}

/** True when the dataset carries statistics of every split computed with the default options. */
async function hasStored(dataset: Dataset): Promise<boolean> {
  const stored = await dataset.storedStatistics();
  return Boolean(stored && sameStatsOptions(stored.options, resolveStatsOptions({})) && dataset.splits.every((s) => stored.splits.some((x) => x.name === s)));
}

/** How many shards: none for a dataset with stored statistics, else one per shard of each split. */
export async function statisticsShardCount({ dataset }: { dataset: Dataset }): Promise<number> {
  return (await hasStored(dataset)) ? 0 : (await shardList(dataset)).length;
}

/** The accumulator state of shard `index` (in split, then shard order). */
export async function statisticsShard(_ctx: StepContext, { dataset }: { dataset: Dataset }, _params: unknown, { index }: { index: number }): Promise<ShardState> {
  const target = (await shardList(dataset))[index];
  if (!target) throw new Error(`the dataset has no shard ${index}`);
  const acc = new StatisticsAccumulator();
  for await (const ex of dataset.shardExamples(target.split, target.shard)) acc.add(ex);
  return { split: target.split, state: acc.toJSON() as unknown as JsonValue };
}

/** Merge each split's shard states in order and finish (or return the stored statistics when there are no parts). */
export async function statisticsMerge(ctx: StepContext, { dataset }: { dataset: Dataset }, _params: unknown, parts: JsonValue[]): Promise<{ statistics: DatasetStatistics[] }> {
  if (parts.length === 0) {
    const { statistics, stored } = await datasetStatistics(dataset);
    for (const s of statistics) ctx.log.info(`split ${s.name}: ${s.numExamples} examples, ${s.features.length} features${stored ? " (computed while the dataset was written)" : ""}`);
    return { statistics };
  }
  const states = parts as ShardState[];
  const out: DatasetStatistics[] = [];
  for (const split of dataset.splits) {
    const accs = states.filter((p) => p.split === split).map((p) => StatisticsAccumulator.fromJSON(p.state));
    const s = StatisticsAccumulator.mergeAll(accs, {}).finish({ name: split });
    ctx.log.info(`split ${split}: ${s.numExamples} examples, ${s.features.length} features (${accs.length} shards)`);
    out.push(s);
  }
  return { statistics: JSON.parse(JSON.stringify(out)) as DatasetStatistics[] };
}
