/**
 * Reading a remote job's log incrementally, each line exactly once. Platforms let a client ask for the log *from a
 * time on* (Cloud Logging `timestamp >= "..."`, the Kubernetes pod log's `sinceTime`), so every read returns again
 * what was at that time. A {@link LogCursor} remembers the newest timestamp taken and which entries it has taken at
 * exactly that timestamp, and lets through only what is newer — the same scheme for every backend.
 * @module
 */

/**
 * An RFC 3339 timestamp (`2025-03-04T10:01:12Z`, `...12.5Z`, `...12.123456789+02:00`) as nanoseconds since the
 * epoch, so timestamps written with different precisions compare correctly; undefined when it is not one.
 */
export function timestampNanos(ts: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9})\d*)?(Z|[+-]\d\d:\d\d)$/i.exec(ts.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** An RFC 3339 timestamp cut to whole seconds (`2025-03-04T10:01:12Z`), what an API taking seconds compares with. */
export function wholeSeconds(nanos: bigint): string {
  return new Date(Number(nanos / 1_000_000_000n) * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * The position reached in one log: the newest timestamp taken, and how many times each entry key was taken at
 * exactly that timestamp (a Cloud Logging `insertId`, or a pod log line's text, which may repeat).
 *
 * @example
 * ```ts
 * const cursor = new LogCursor();
 * cursor.begin();                                   // one read, from cursor.since on
 * for (const e of entries) if (cursor.take(e.timestamp, e.insertId)) print(e);
 * ```
 */
export class LogCursor {
  private last: bigint | undefined;
  private lastText: string | undefined;
  /** Times each key was taken at `last`. */
  private taken = new Map<string, number>();
  /** Times each key was seen at `last` in the current read. */
  private seen = new Map<string, number>();

  /** The newest timestamp taken, as the platform wrote it (undefined before the first entry). */
  get since(): string | undefined {
    return this.lastText;
  }

  /** The newest timestamp taken, in nanoseconds since the epoch. */
  get sinceNanos(): bigint | undefined {
    return this.last;
  }

  /** Start a read from {@link since} on: entries at that timestamp are about to come again. */
  begin(): void {
    this.seen = new Map();
  }

  /**
   * Whether an entry read (in timestamp order) is new; takes it if so. An entry older than the cursor was taken
   * by an earlier read; one at the cursor's timestamp is new only beyond the times its key was taken there. An
   * entry without a readable timestamp counts as being at the cursor's timestamp.
   */
  take(timestamp: string | undefined, key: string): boolean {
    const at = timestamp === undefined ? undefined : timestampNanos(timestamp);
    if (at !== undefined && (this.last === undefined || at > this.last)) {
      this.last = at;
      this.lastText = timestamp;
      this.taken = new Map([[key, 1]]);
      this.seen = new Map([[key, 1]]);
      return true;
    }
    if (at !== undefined && this.last !== undefined && at < this.last) return false;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    if (n <= (this.taken.get(key) ?? 0)) return false;
    this.taken.set(key, n);
    return true;
  }
}
