/**
 * Cache leases around step computation: when several processes (or machines) run the same step with the same
 * cache key at once, one takes the lease and computes; the others wait, re-checking the cache whenever the
 * lease is released or expires, and reuse the result. A holder renews its lease while the step runs; a crashed
 * holder stops renewing, so its lease expires and a waiter takes over.
 *
 * Timing comes from `KOAN_LEASE_TTL_MS` (default 30000) and `KOAN_LEASE_POLL_MS` (default 250).
 * @module
 */
import type { MetadataStore } from "./types.js";
import { sleep } from "../../core/sleep.js";

/** Lease timing. */
export interface LeaseTiming {
  /** How long a lease lasts without renewal. */
  ttlMs: number;
  /** How often a waiter re-checks. */
  pollMs: number;
}

function envInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(n) && n >= min ? n : fallback;
}

/** The lease timing for this process. */
export function leaseTiming(): LeaseTiming {
  return { ttlMs: envInt("KOAN_LEASE_TTL_MS", 30_000, 100), pollMs: envInt("KOAN_LEASE_POLL_MS", 250, 10) };
}

/** A lease this process holds; renewed in the background until released. */
export class HeldLease {
  private timer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> = Promise.resolve();
  /** Set when a renewal found the lease taken over (the step still completes; its result is content-addressed). */
  lost = false;

  constructor(
    private readonly store: MetadataStore,
    readonly key: string,
    readonly owner: string,
    private readonly timing: LeaseTiming,
  ) {
    this.timer = setInterval(() => {
      this.renewing = this.store.renewLease(key, owner, timing.ttlMs).then(
        (ok) => {
          if (!ok) this.lost = true;
        },
        () => undefined,
      );
    }, Math.max(10, Math.floor(timing.ttlMs / 3)));
    this.timer.unref();
  }

  /** Stop renewing and give the lease up (never throws: an unreleased lease simply expires). */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.renewing;
    await this.store.releaseLease(this.key, this.owner).catch(() => undefined);
  }
}

/** The outcome of {@link cachedOrLease}. */
export type LeaseOutcome<T> = { kind: "cached"; value: T; waitedMs: number } | { kind: "leased"; lease: HeldLease; waitedMs: number } | { kind: "aborted"; waitedMs: number };

/**
 * Either a usable cached result (`check` returns it) or the lease on `key` to compute it. Checks the cache
 * first (no write for a hit), then takes the lease and checks again (a holder may have just finished); while
 * another owner holds it, waits and re-checks until it is released or expires.
 */
export async function cachedOrLease<T>(
  store: MetadataStore,
  key: string,
  owner: string,
  check: () => Promise<T | undefined>,
  signal: AbortSignal,
  timing: LeaseTiming = leaseTiming(),
): Promise<LeaseOutcome<T>> {
  const started = Date.now();
  const waited = (): number => Date.now() - started;
  const first = await check();
  if (first !== undefined) return { kind: "cached", value: first, waitedMs: 0 };
  for (;;) {
    if (signal.aborted) return { kind: "aborted", waitedMs: waited() };
    if (await store.acquireLease(key, owner, timing.ttlMs)) {
      const lease = new HeldLease(store, key, owner, timing);
      const hit = await check().catch(async (e: unknown) => {
        await lease.release();
        throw e;
      });
      if (hit !== undefined) {
        await lease.release();
        return { kind: "cached", value: hit, waitedMs: waited() };
      }
      return { kind: "leased", lease, waitedMs: waited() };
    }
    await sleep(timing.pollMs + Math.floor(Math.random() * (timing.pollMs / 4)), signal);
    const hit = await check();
    if (hit !== undefined) return { kind: "cached", value: hit, waitedMs: waited() };
  }
}
