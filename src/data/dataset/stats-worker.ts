/**
 * Entry point of a statistics worker thread (see stats-thread.ts): one statistics accumulator per shard of a
 * split, counting the columns it is sent exactly as the writing thread would (row `i` of the split goes to shard
 * `i % shardCount`), so the statistics do not depend on where they are counted. At the end it merges them shard
 * by shard ({@link StatisticsAccumulator.mergeAll}, as the split's statistics are defined) and sends the result.
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { threadErrorMessage, type ThreadErrorMessage } from "./thread-error.js";
import { StatisticsAccumulator } from "../stats/accumulator.js";
import type { StatsColumn } from "../stats/columns.js";
import type { StatsOptions } from "../stats/options.js";
import type { AccumulatorState } from "../stats/state.js";

/** What a statistics worker is started with. */
export interface StatsWorkerData {
  readonly shardCount: number;
  readonly statistics: StatsOptions;
}

/** Messages to a statistics worker. */
export type ToStatsWorker =
  | { readonly type: "chunk"; readonly base: number; readonly rows: number; readonly columns: readonly StatsColumn[] }
  | { readonly type: "close" };

/** Messages from a statistics worker. */
export type FromStatsWorker =
  | { readonly type: "ack" }
  /** The shards' accumulators merged in shard order. */
  | { readonly type: "closed"; readonly statistics: AccumulatorState }
  | ThreadErrorMessage;

const data = workerData as StatsWorkerData;
const port = parentPort;
const post = (m: FromStatsWorker): void => port?.postMessage(m);
const accumulators = Array.from({ length: data.shardCount }, () => new StatisticsAccumulator(data.statistics));
let failed = false;

port?.on("message", (message: ToStatsWorker) => {
  if (failed) return;
  try {
    if (message.type === "chunk") {
      const count = data.shardCount;
      for (let s = 0; s < count; s++) {
        const first = (((s - message.base) % count) + count) % count; // the first row of the chunk that goes to shard s
        (accumulators[s] as StatisticsAccumulator).addColumns(message.columns, message.rows, first, count);
      }
      post({ type: "ack" });
    } else {
      post({ type: "closed", statistics: StatisticsAccumulator.mergeAll(accumulators, data.statistics).toJSON() });
    }
  } catch (e) {
    failed = true;
    post(threadErrorMessage(e));
  }
});
