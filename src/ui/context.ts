/** What every API route reads: the client, the runs index, and how often live views poll the store. @module */
import type { Context } from "hono";
import type { Koan } from "../client/client.js";
import { sendError } from "./errors.js";
import { redact } from "./redact.js";
import type { RunIndex } from "./runs-index.js";

/** Shared state of one dashboard server. */
export interface UiContext {
  readonly koan: Koan;
  readonly index: RunIndex;
  /** Milliseconds between store polls of live (server-sent event) views. */
  readonly pollMs: number;
}

/** A JSON GET handler: its result is redacted and sent; a thrown error becomes an API error response. */
export function jsonHandler<T>(ui: UiContext, fn: (c: Context) => Promise<T>): (c: Context) => Promise<Response> {
  return async (c) => {
    try {
      return c.json(redact(await fn(c)) as object);
    } catch (e) {
      return sendError(c, e, ui.koan.metadata);
    }
  };
}
