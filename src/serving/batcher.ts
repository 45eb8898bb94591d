/**
 * Micro-batching: requests that arrive close together are predicted in one call of the model, up to
 * `maxBatchSize` rows, waiting at most `maxWaitMs` for company (0: only what arrived in the same turn of the
 * event loop). Each request gets exactly its own rows back, by offset; when a batch fails, its requests are
 * retried one by one, so a bad request fails alone.
 *
 * @example
 * ```ts
 * const batcher = new MicroBatcher(model, { maxBatchSize: 64, maxWaitMs: 2 });
 * const [answer] = await batcher.submit([{ island: "Dream", bill_length_mm: 39.1 }]);
 * ```
 * @module
 */
import type { FeatureValue, ServableModel } from "./model.js";
import { RequestError } from "./request-error.js";

type Row = Record<string, FeatureValue>;

/** Micro-batching settings. */
export interface BatchingOptions {
  /** Off: every request is its own predict call (default on). */
  enabled?: boolean;
  /** Most rows in one predict call (default 64). A larger request is predicted alone. */
  maxBatchSize?: number;
  /** Longest wait for more requests, in ms (default 0: batch what arrived in the same event-loop turn). */
  maxWaitMs?: number;
  /** Predict calls running at once (default 1); requests arriving meanwhile join the next batch. */
  maxInFlight?: number;
}

interface Pending {
  rows: readonly Row[];
  resolve: (rows: Row[]) => void;
  reject: (e: unknown) => void;
}

/** Groups concurrent predict requests of one model. */
export class MicroBatcher {
  private readonly queue: Pending[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private readonly idle = new Set<() => void>();
  readonly enabled: boolean;
  readonly maxBatchSize: number;
  readonly maxWaitMs: number;
  readonly maxInFlight: number;

  constructor(
    private readonly model: ServableModel,
    options: BatchingOptions = {},
    /** Called after every predict call with its row count, request count and duration. */
    private readonly onBatch: (rows: number, requests: number, seconds: number) => void = () => undefined,
  ) {
    this.enabled = options.enabled ?? true;
    this.maxBatchSize = options.maxBatchSize ?? 64;
    this.maxWaitMs = options.maxWaitMs ?? 0;
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.maxBatchSize) || this.maxBatchSize < 1) throw new RangeError(`maxBatchSize must be a whole number ≥ 1, got ${this.maxBatchSize}`);
    if (!(this.maxWaitMs >= 0)) throw new RangeError(`maxWaitMs must be ≥ 0, got ${this.maxWaitMs}`);
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new RangeError(`maxInFlight must be a whole number ≥ 1, got ${this.maxInFlight}`);
  }

  /** Predict `rows`; resolves to exactly one answer row per row, in order. */
  submit(rows: readonly Row[]): Promise<Row[]> {
    if (rows.length === 0) return Promise.resolve([]);
    if (!this.enabled) return this.predict([{ rows, resolve: () => undefined, reject: () => undefined }]).then((r) => r[0] as Row[]);
    return new Promise<Row[]>((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      this.queuedRows += rows.length;
      if (this.queuedRows >= this.maxBatchSize) this.flush();
      else this.schedule();
    });
  }

  /** Requests waiting for a batch. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Predict everything queued now and resolve when no batch is running. */
  async drain(): Promise<void> {
    while (this.queue.length || this.inFlight) {
      if (this.queue.length && this.inFlight < this.maxInFlight) this.flush();
      await new Promise<void>((r) => this.idle.add(r));
    }
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const fire = (): void => {
      this.timer = undefined;
      this.flush();
    };
    this.timer = this.maxWaitMs > 0 ? setTimeout(fire, this.maxWaitMs) : setImmediate(fire);
  }

  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = undefined;
    }
    while (this.queue.length && this.inFlight < this.maxInFlight) {
      const batch: Pending[] = [];
      let size = 0;
      while (this.queue.length) {
        const next = this.queue[0] as Pending;
        if (batch.length && size + next.rows.length > this.maxBatchSize) break;
        batch.push(next);
        size += next.rows.length;
        this.queue.shift();
      }
      this.queuedRows -= size;
      void this.run(batch);
    }
  }

  private async run(batch: Pending[]): Promise<void> {
    this.inFlight++;
    try {
      const answers = await this.predict(batch);
      batch.forEach((p, i) => p.resolve(answers[i] as Row[]));
    } catch (e) {
      if (batch.length === 1) (batch[0] as Pending).reject(e);
      else {
        // One bad request must not fail the others: predict each alone.
        await Promise.all(batch.map((p) => this.predict([p]).then((a) => p.resolve(a[0] as Row[]), p.reject)));
      }
    } finally {
      this.inFlight--;
      if (this.queue.length) {
        if (this.queuedRows >= this.maxBatchSize || this.maxWaitMs === 0) this.flush();
        else this.schedule();
      }
      for (const wake of [...this.idle]) {
        this.idle.delete(wake);
        wake();
      }
    }
  }

  /** One predict call over the requests' rows, split back by offset. */
  private async predict(batch: readonly Pending[]): Promise<Row[][]> {
    const rows = batch.length === 1 ? (batch[0] as Pending).rows : batch.flatMap((p) => p.rows);
    const started = process.hrtime.bigint();
    const out = await this.model.predict(rows);
    this.onBatch(rows.length, batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    if (!Array.isArray(out) || out.length !== rows.length) {
      throw new RequestError(500, `model "${this.model.name}" answered ${Array.isArray(out) ? out.length : "no"} rows for ${rows.length} input rows`);
    }
    if (batch.length === 1) return [out];
    const split: Row[][] = [];
    let offset = 0;
    for (const p of batch) {
      split.push(out.slice(offset, offset + p.rows.length));
      offset += p.rows.length;
    }
    return split;
  }
}
