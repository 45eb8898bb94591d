/**
 * Writing one split's shards on worker threads. Shard `s` belongs to thread `s % threads`; every chunk of rows is
 * sent to every thread, and each encodes, frames, compresses and counts only the rows of its own shards (see
 * shard-worker.ts). So the files and the statistics are those of the single-threaded writer, whatever the number
 * of threads: the thread count is a matter of speed, never of content.
 *
 * At most a few chunks are in flight per thread; {@link ShardPool.append} reports when the caller should wait.
 * @module
 */
import { Worker } from "node:worker_threads";
import { KoanError } from "../../core/errors.js";
import { threadError } from "./thread-error.js";
import type { RowEncoderColumn } from "../example/row-encoder.js";
import { StatisticsAccumulator } from "../stats/accumulator.js";
import type { StatsOptions } from "../stats/options.js";
import type { TFRecordCompression } from "../tfrecord/compression.js";
import { packChunk, type ColumnChunk } from "./column-chunk.js";
import type { FromShardWorker, ShardWorkerData, ToShardWorker } from "./shard-worker.js";

/** Chunks sent to a thread and not yet written, above which {@link ShardPool.append} says the caller is ahead. */
const MAX_IN_FLIGHT = 4;

/** Options of {@link ShardPool.open}. */
export interface ShardPoolOptions {
  /** The final paths of the split's shards, in index order. */
  readonly paths: readonly string[];
  readonly columns: readonly RowEncoderColumn[];
  readonly threads: number;
  readonly compression: TFRecordCompression;
  readonly gzipLevel?: number | undefined;
  /** Statistics options, or null for none. */
  readonly statistics: StatsOptions | null;
}

/** The outcome of {@link ShardPool.close}. */
export interface ShardPoolResult {
  /** One accumulator per shard, in shard order (null without statistics). */
  readonly statistics: StatisticsAccumulator[] | null;
}

interface Thread {
  readonly worker: Worker;
  readonly shards: readonly number[];
  inFlight: number;
  /** Resolves the pending close or abort. */
  settle: ((m: FromShardWorker) => void) | null;
}

/** A pool of threads writing one split's shards. */
export class ShardPool {
  #base = 0;
  #failure: KoanError | undefined;
  #waiters: (() => void)[] = [];

  private constructor(
    /** The final paths of the split's shards, in index order. */
    readonly paths: readonly string[],
    private readonly threads: readonly Thread[],
  ) {}

  /** Start the threads (at most one per shard). */
  static open(options: ShardPoolOptions): ShardPool {
    const count = Math.max(1, Math.min(options.threads, options.paths.length));
    const threads: Thread[] = [];
    for (let t = 0; t < count; t++) {
      const shards = options.paths.flatMap((_, s) => (s % count === t ? [s] : []));
      const data: ShardWorkerData = {
        columns: options.columns,
        shardCount: options.paths.length,
        shards: shards.map((index) => ({ index, path: options.paths[index] as string })),
        compression: options.compression,
        gzipLevel: options.gzipLevel,
        statistics: options.statistics,
      };
      const worker = new Worker(new URL("./shard-worker.js", import.meta.url), { workerData: data });
      threads.push({ worker, shards, inFlight: 0, settle: null });
    }
    const pool = new ShardPool(options.paths, threads);
    for (const thread of threads) pool.#listen(thread);
    return pool;
  }

  /** Send a chunk (its rows follow those sent before); true when the caller should await {@link drained}. */
  append(chunk: ColumnChunk): boolean {
    if (this.#failure) throw this.#failure;
    const message: ToShardWorker = { type: "chunk", base: this.#base, chunk: packChunk(chunk) };
    this.#base += chunk.rows;
    let behind = false;
    for (const thread of this.threads) {
      thread.worker.postMessage(message);
      thread.inFlight++;
      if (thread.inFlight >= MAX_IN_FLIGHT) behind = true;
    }
    return behind;
  }

  /** Resolves when every thread has fewer than the maximum of chunks in flight; rejects when one failed. */
  async drained(): Promise<void> {
    while (!this.#failure && this.threads.some((t) => t.inFlight >= MAX_IN_FLIGHT)) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#failure) throw this.#failure;
  }

  /** Finish and publish every shard; returns the statistics of each shard. */
  async close(): Promise<ShardPoolResult> {
    if (this.#failure) throw this.#failure;
    const replies = await Promise.all(this.threads.map((t) => this.#request(t, { type: "close" })));
    await this.#stop();
    if (this.#failure) throw this.#failure;
    const byShard: StatisticsAccumulator[] = [];
    for (const [i, reply] of replies.entries()) {
      if (reply.type !== "closed") throw this.#failure ?? new KoanError("INTERNAL", `shard thread ${i} did not close`);
      if (!reply.statistics) return { statistics: null };
      const thread = this.threads[i] as Thread;
      thread.shards.forEach((shard, k) => (byShard[shard] = StatisticsAccumulator.fromJSON(reply.statistics?.[k])));
    }
    return { statistics: byShard };
  }

  /** Stop writing and remove every shard file not yet published. */
  async abort(): Promise<void> {
    await Promise.all(this.threads.map((t) => this.#request(t, { type: "abort" }).catch(() => undefined)));
    await this.#stop();
  }

  #request(thread: Thread, message: ToShardWorker): Promise<FromShardWorker> {
    return new Promise((resolve) => {
      thread.settle = resolve;
      thread.worker.postMessage(message);
    });
  }

  async #stop(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  #fail(error: KoanError): void {
    this.#failure ??= error;
    this.#wake();
    for (const t of this.threads) {
      const settle = t.settle;
      t.settle = null;
      settle?.({ type: "error", message: error.message });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #listen(thread: Thread): void {
    thread.worker.on("message", (m: FromShardWorker) => {
      if (m.type === "ack") {
        thread.inFlight--;
        this.#wake();
      } else if (m.type === "error") {
        this.#fail(threadError(m));
      } else {
        const settle = thread.settle;
        thread.settle = null;
        settle?.(m);
      }
    });
    thread.worker.on("error", (e) => this.#fail(new KoanError("INTERNAL", `a shard-writing thread failed: ${e.message}`)));
    thread.worker.on("exit", (code) => {
      if (thread.settle || thread.inFlight > 0) this.#fail(new KoanError("INTERNAL", `a shard-writing thread exited (code ${code}) before it finished`));
    });
  }
}
