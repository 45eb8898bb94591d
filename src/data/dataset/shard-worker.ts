/**
 * Entry point of a shard-writing worker thread (see shard-pool.ts). The thread owns some of a split's shards: for
 * every chunk it is sent, it encodes the rows that go to its shards (row `i` of the split goes to shard
 * `i % shardCount`), frames and compresses them into those shards' files, and counts them in one statistics
 * accumulator per shard. Each shard gets exactly the records, in the same order, and the statistics state that
 * the single-threaded writer would give it.
 * @module
 */
import { parentPort, workerData } from "node:worker_threads";
import { threadErrorMessage, type ThreadErrorMessage } from "./thread-error.js";
import { ExampleChunkEncoder, strideCount } from "../example/chunk-encoder.js";
import type { RowEncoderColumn } from "../example/row-encoder.js";
import { StatisticsAccumulator } from "../stats/accumulator.js";
import type { StatsOptions } from "../stats/options.js";
import type { AccumulatorState } from "../stats/state.js";
import type { TFRecordCompression } from "../tfrecord/compression.js";
import { TFRecordWriter } from "../tfrecord/writer.js";
import { unpackChunk, type PackedChunk } from "./column-chunk.js";

/** What a shard worker is started with. */
export interface ShardWorkerData {
  readonly columns: readonly RowEncoderColumn[];
  readonly shardCount: number;
  /** The shards this thread writes: index and final path. */
  readonly shards: readonly { readonly index: number; readonly path: string }[];
  readonly compression: TFRecordCompression;
  readonly gzipLevel: number | undefined;
  /** Statistics options, or null for no statistics. */
  readonly statistics: StatsOptions | null;
}

/** Messages to a shard worker. */
export type ToShardWorker = { readonly type: "chunk"; readonly base: number; readonly chunk: PackedChunk } | { readonly type: "close" } | { readonly type: "abort" };

/** Messages from a shard worker. */
export type FromShardWorker =
  | { readonly type: "ack" }
  | { readonly type: "closed"; readonly statistics: readonly AccumulatorState[] | null }
  | { readonly type: "aborted" }
  | ThreadErrorMessage;

const data = workerData as ShardWorkerData;
const port = parentPort;
const post = (m: FromShardWorker): void => port?.postMessage(m);

const encoder = new ExampleChunkEncoder(data.columns);
const accumulators = data.statistics ? data.shards.map(() => new StatisticsAccumulator(data.statistics as StatsOptions)) : null;
const opening = openAll();
let writers: TFRecordWriter[] = [];
let failed = false;

/** Open every shard's file; if one fails, remove those opened and fail. */
async function openAll(): Promise<TFRecordWriter[]> {
  const settled = await Promise.allSettled(data.shards.map((s) => TFRecordWriter.open(s.path, { compression: data.compression, gzipLevel: data.gzipLevel })));
  const opened = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failure) {
    await Promise.all(opened.map((w) => w.abort()));
    throw failure.reason;
  }
  return opened;
}

async function writeChunk(base: number, packed: PackedChunk): Promise<void> {
  const count = data.shardCount;
  const firsts = data.shards.map((s) => (((s.index - base) % count) + count) % count); // each shard's first row in the chunk
  const chunk = unpackChunk(packed, data.columns, { firsts, step: count });
  const encoded = chunk.columns.map((c) => c.data);
  const counted = chunk.columns.map((c) => c.stats);
  let behind = false;
  encoder.load(encoded, chunk.rows);
  for (let k = 0; k < data.shards.length; k++) {
    const first = firsts[k] as number;
    const writer = writers[k] as TFRecordWriter;
    if (first < chunk.rows && writer.appendFramed(encoder.encodeFramed(first, count), strideCount(chunk.rows, first, count))) behind = true;
    accumulators?.[k]?.addColumns(counted, chunk.rows, first, count);
  }
  if (behind) await Promise.all(writers.map((w) => w.drained()));
}

async function handle(message: ToShardWorker): Promise<void> {
  if (message.type === "abort") {
    writers = await opening.catch(() => []);
    await Promise.all(writers.map((w) => w.abort()));
    post({ type: "aborted" });
    return;
  }
  if (failed) return;
  try {
    if (writers.length === 0) writers = await opening;
    if (message.type === "chunk") {
      await writeChunk(message.base, message.chunk);
      post({ type: "ack" });
    } else if (message.type === "close") {
      for (const w of writers) await w.close();
      post({ type: "closed", statistics: accumulators ? accumulators.map((a) => a.toJSON()) : null });
    }
  } catch (e) {
    failed = true;
    await Promise.all(writers.map((w) => w.abort())).catch(() => {});
    post(threadErrorMessage(e));
  }
}

// Messages are handled one after another, in the order they were sent.
let queue: Promise<void> = Promise.resolve();
port?.on("message", (message: ToShardWorker) => {
  queue = queue.then(() => handle(message));
});
opening.catch(() => {}); // reported by the first message's handler
