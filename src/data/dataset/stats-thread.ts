/**
 * Counting some columns' statistics on a worker thread while the calling thread encodes, writes and counts the
 * others: the numeric columns, whose values travel as typed arrays (a copy of a few kilobytes per chunk), while
 * string columns, which would have to be copied string by string, stay on the calling thread. The thread keeps one
 * accumulator per shard and counts exactly as the calling thread would, so the statistics do not depend on it. At
 * most a few chunks are in flight; {@link StatisticsThread.add} reports when the caller should wait.
 * @module
 */
import { Worker } from "node:worker_threads";
import { KoanError } from "../../core/errors.js";
import { threadError } from "./thread-error.js";
import { StatisticsAccumulator } from "../stats/accumulator.js";
import type { NumericStatsColumn } from "../stats/columns.js";
import type { StatsOptions } from "../stats/options.js";
import type { FromStatsWorker, StatsWorkerData, ToStatsWorker } from "./stats-worker.js";

/** Chunks sent and not yet counted, from which {@link StatisticsThread.add} says the caller is ahead. */
const MAX_IN_FLIGHT = 8;

/** A worker thread counting some columns of one split. */
export class StatisticsThread {
  #inFlight = 0;
  #rows = 0;
  #failure: KoanError | undefined;
  #waiters: (() => void)[] = [];
  #settle: ((m: FromStatsWorker) => void) | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (m: FromStatsWorker) => {
      if (m.type === "ack") {
        this.#inFlight--;
        this.#wake();
      } else if (m.type === "error") {
        this.#fail(threadError(m));
      } else {
        const settle = this.#settle;
        this.#settle = null;
        settle?.(m);
      }
    });
    worker.on("error", (e) => this.#fail(new KoanError("INTERNAL", `the statistics thread failed: ${e.message}`)));
    worker.on("exit", (code) => {
      if (this.#settle || this.#inFlight > 0) this.#fail(new KoanError("INTERNAL", `the statistics thread exited (code ${code}) before it finished`));
    });
  }

  /** Start a thread counting a split of `shardCount` shards. */
  static open(shardCount: number, statistics: StatsOptions): StatisticsThread {
    const data: StatsWorkerData = { shardCount, statistics };
    return new StatisticsThread(new Worker(new URL("./stats-worker.js", import.meta.url), { workerData: data }));
  }

  /**
   * Send the numeric columns of the split's next `rows` rows; true when the caller should await {@link drained}.
   * The columns' first `rows` values are copied into one buffer of their own, which is moved to the thread: a
   * typed array handed to `postMessage` as it is would copy its whole underlying buffer (for DuckDB's vectors,
   * far more than the column), and each buffer moved costs about as much as the message itself.
   */
  add(columns: readonly NumericStatsColumn[], rows: number): boolean {
    if (this.#failure) throw this.#failure;
    let bytes = 0;
    for (const c of columns) bytes += 8 * rows + (c.valid ? (rows + 7) & ~7 : 0);
    const buffer = new ArrayBuffer(bytes);
    let at = 0;
    const own = columns.map((c): NumericStatsColumn => {
      const values = new Float64Array(buffer, at, rows);
      at += 8 * rows;
      if (c.values instanceof Float64Array) values.set(c.values.subarray(0, rows));
      else for (let r = 0; r < rows; r++) values[r] = c.values[r] as number;
      let valid: Uint8Array | null = null;
      if (c.valid) {
        valid = new Uint8Array(buffer, at, rows);
        valid.set(c.valid.subarray(0, rows));
        at += (rows + 7) & ~7;
      }
      return { name: c.name, kind: c.kind, values, valid };
    });
    const message: ToStatsWorker = { type: "chunk", base: this.#rows, rows, columns: own };
    this.worker.postMessage(message, [buffer]);
    this.#rows += rows;
    this.#inFlight++;
    return this.#inFlight >= MAX_IN_FLIGHT;
  }

  /** Resolves when fewer than the maximum of chunks are in flight; rejects when the thread failed. */
  async drained(): Promise<void> {
    while (!this.#failure && this.#inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    if (this.#failure) throw this.#failure;
  }

  /**
   * Wait until every chunk is counted, stop the thread, and return what it counted: the accumulators of the
   * split's shards merged in shard order, which is what {@link StatisticsAccumulator.mergeAll} of the split's
   * accumulators gives for these columns.
   */
  async close(): Promise<StatisticsAccumulator> {
    if (this.#failure) throw this.#failure;
    const reply = await new Promise<FromStatsWorker>((resolve) => {
      this.#settle = resolve;
      this.worker.postMessage({ type: "close" } satisfies ToStatsWorker);
    });
    await this.worker.terminate();
    if (this.#failure) throw this.#failure;
    if (reply.type !== "closed") throw new KoanError("INTERNAL", "the statistics thread did not close");
    return StatisticsAccumulator.fromJSON(reply.statistics);
  }

  /** Stop the thread, discarding what it counted. */
  async abort(): Promise<void> {
    this.#settle = null;
    this.#inFlight = 0;
    await this.worker.terminate();
  }

  #fail(error: KoanError): void {
    this.#failure ??= error;
    this.#wake();
    const settle = this.#settle;
    this.#settle = null;
    settle?.({ type: "error", message: error.message });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
