/**
 * A failure inside a dataset worker thread (shard-worker.ts, stats-worker.ts) as a message, and back as a
 * {@link KoanError} on the thread that started it, with its code, hint and the worker's stack.
 * @module
 */
import { KoanError, messageOf, type KoanErrorCode } from "../../core/errors.js";

/** The error message a worker posts. */
export interface ThreadErrorMessage {
  readonly type: "error";
  readonly message: string;
  readonly code?: KoanErrorCode;
  readonly hint?: string;
  readonly stack?: string;
}

/** The message for an error thrown in a worker. */
export function threadErrorMessage(e: unknown): ThreadErrorMessage {
  return { type: "error", message: messageOf(e), ...(e instanceof KoanError ? { code: e.code, ...(e.hint ? { hint: e.hint } : {}) } : {}), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) };
}

/** The error a worker reported. */
export function threadError(m: ThreadErrorMessage): KoanError {
  const error = new KoanError(m.code ?? "INTERNAL", m.message, m.hint ? { hint: m.hint } : {});
  if (m.stack) error.stack = m.stack;
  return error;
}
