/**
 * `statistics`: TFDV-style statistics of every split of a dataset. A dataset that carries statistics computed
 * while it was written (the table sources store them) needs no pass over the data; otherwise each split is read
 * once, one accumulator per shard merged in shard order, which gives the same numbers. The shards are computed in
 * parallel where the step runs (worker threads, or queue tasks).
 * @module
 */
import { dataset } from "../../data/dataset/type.js";
import { shardableStep } from "../../shards/define.js";
import { statisticsMerge, statisticsShard, statisticsShardCount } from "./statistics-shards.js";
import { statisticsType } from "./types.js";

/**
 * Shardable (see docs/distributed.md): queue workers compute the shards as separate tasks, the local orchestrator
 * in worker threads; the statistics, and the cache key, are those of a single pass.
 */
export const statistics = shardableStep({
  name: "statistics",
  description: "statistics of every split (count, missing, numeric and string summaries, histograms)",
  inputs: { dataset: dataset() },
  outputs: { statistics: statisticsType() },
  module: { url: import.meta.url, export: "statistics" },
  shards: { count: statisticsShardCount, map: statisticsShard, merge: statisticsMerge },
});
