/**
 * Config of the `queue` orchestrator (BullMQ on Redis). Everything but the Redis URL has a default; numbers may be
 * given as strings (`--orchestrator "queue?url=redis://host:6379&lockDurationMs=60000"`).
 * @module
 */
import { z } from "zod";

const ms = (fallback: number, min: number) => z.coerce.number().int().min(min).default(fallback);

/** Schema of the queue orchestrator's config. */
export const queueConfigSchema = z
  .object({
    /** `redis://[user[:{{secret:NAME}}]@]host:port[/db]` (or `rediss://` for TLS). */
    url: z.string().regex(/^rediss?:\/\//, "a Redis URL: redis://host:6379 or rediss://host:6380").default("redis://127.0.0.1:6379"),
    /** BullMQ queue name (default `koan-<stack>`): give projects sharing one Redis their own. */
    queue: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _, . and -").optional(),
    /** Prefix of every Redis key Koan's queues use. */
    prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/, "letters, digits, _, . and -").default("koan"),
    /** How long a worker's hold on a task lasts without renewal; a dead worker's task is retried after it. */
    lockDurationMs: ms(30_000, 500),
    /** How often workers look for tasks whose worker died (BullMQ's stalled-job check). */
    stalledIntervalMs: ms(30_000, 200),
    /** How many times a task may lose its worker before the step is recorded failed. */
    maxStalledCount: z.coerce.number().int().min(0).default(2),
    /** Deliveries of a task whose worker process crashed without recording the step (then the step fails). */
    attempts: z.coerce.number().int().min(1).default(3),
    /** First delay before such a retry (doubles each time). */
    backoffMs: ms(1_000, 0),
    /** How often a worker re-enqueues ready steps of running runs from the metadata store (after Redis lost them). */
    reconcileMs: ms(30_000, 100),
    /** How often `koan run` reads a queued run's progress from the metadata store. */
    pollMs: ms(250, 10),
    /** How long to wait for Redis to answer before giving up. */
    connectTimeoutMs: ms(3_000, 100),
  })
  .strict();

/** The queue orchestrator's config, defaults filled in. */
export type QueueConfig = z.output<typeof queueConfigSchema>;

/** The BullMQ queue of a stack. */
export function queueNameOf(config: Pick<QueueConfig, "queue">, stack: string): string {
  return config.queue ?? `koan-${stack}`.replace(/[^A-Za-z0-9_.-]/g, "-");
}
