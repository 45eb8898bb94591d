/**
 * Redis connections of the queue orchestrator (ioredis, imported only when a queue stack is used). Producers and
 * checks fail fast with `ORCHESTRATOR_UNAVAILABLE` when Redis does not answer; workers reconnect for ever.
 * @module
 */
import type { Redis } from "ioredis";
import { KoanError, messageOf } from "../../core/errors.js";
import { redactUri } from "../../secrets/redact.js";
import type { QueueConfig } from "./config.js";
import { loadCommonJs } from "../../core/commonjs.js";

/** The error for a Redis that does not answer (the URL is shown without its password). */
export function unreachable(config: Pick<QueueConfig, "url">, cause: unknown): KoanError {
  return new KoanError("ORCHESTRATOR_UNAVAILABLE", `cannot reach Redis at ${redactUri(config.url)} (queue orchestrator): ${messageOf(cause) || "no answer"}`, {
    cause,
    hint: "start Redis there, or fix the stack's orchestrator URL (koan stack describe checks it); nothing was enqueued",
  });
}

/**
 * A connection for short work (enqueueing, checks, cancels): connects at once, gives up after
 * `connectTimeoutMs`, never queues commands while disconnected. Throws `ORCHESTRATOR_UNAVAILABLE`.
 */
export async function producerConnection(config: QueueConfig): Promise<Redis> {
  const { Redis: RedisClient } = await loadCommonJs<typeof import("ioredis")>("ioredis");
  const client = new RedisClient(config.url, {
    lazyConnect: true,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (e) {
    client.disconnect();
    throw unreachable(config, e);
  }
}

/** A connection for a worker: reconnects for ever (BullMQ's blocking commands need no retry limit). */
export async function workerConnection(config: QueueConfig, onError: (e: Error) => void): Promise<Redis> {
  const { Redis: RedisClient } = await loadCommonJs<typeof import("ioredis")>("ioredis");
  const client = new RedisClient(config.url, {
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2_000),
  });
  client.on("error", onError);
  return client;
}

/** Close a connection without waiting for a Redis that went away. */
export async function closeConnection(client: Redis): Promise<void> {
  if (client.status === "ready") await client.quit().catch(() => client.disconnect());
  else client.disconnect();
}
