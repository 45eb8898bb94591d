/**
 * Routes: `GET /api/runs`, `/api/runs/facets`, `/api/runs/:id`, `/api/runs/:id/steps/:step/log` (the stored log,
 * or a running step's live log so far) and `/api/runs/:id/steps/:step/log/events` (server-sent: new lines of a
 * running step's log as they are written, then `end`).
 * @module
 */
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { KoanError } from "../../core/errors.js";
import { readLiveLog } from "../../runner/live-log.js";
import type { LogAppendEvent, LogView } from "../api-types.js";
import { jsonHandler, type UiContext } from "../context.js";
import { sendError } from "../errors.js";
import { parseRunQuery } from "../run-query.js";
import { runView } from "../run-view.js";

/** Bytes of a log returned at most (its end). */
export const LOG_LIMIT = 1024 * 1024;

export function runsRoutes(ui: UiContext): Hono {
  const app = new Hono();
  app.get("/", jsonHandler(ui, async (c) => ui.index.query(parseRunQuery(new URL(c.req.url).searchParams))));
  app.get("/facets", jsonHandler(ui, async () => ui.index.facets()));
  app.get("/:id", jsonHandler(ui, async (c) => runView(ui.koan, c.req.param("id") as string)));
  app.get(
    "/:id/steps/:step/log",
    jsonHandler(ui, async (c): Promise<LogView> => {
      const { steps } = await ui.koan.runDetails(c.req.param("id") as string);
      const name = c.req.param("step") as string;
      const s = steps.find((x) => x.step === name);
      if (!s) throw new KoanError("NOT_FOUND", `the run has no step run "${name}"`, { hint: `steps that ran: ${steps.map((x) => x.step).join(", ") || "none"}` });
      if (!s.logBlob && s.status === "running") {
        const live = await readLiveLog(s.id, 0, LOG_LIMIT);
        const text = live?.text ?? "";
        return { step: name, text, size: Buffer.byteLength(text), truncated: false, live: true, note: live ? "running: the log so far (the whole log is stored when the step ends)" : "running: no live log on this machine yet (the log is stored when the step ends)" };
      }
      if (!s.logBlob) {
        const note = s.cacheHit ? "a cache hit runs no code, so it has no log" : "this step wrote no log";
        return { step: name, text: "", size: 0, truncated: false, note };
      }
      const text = await ui.koan.stepLog(s);
      const bytes = Buffer.byteLength(text);
      const truncated = bytes > LOG_LIMIT;
      return { step: name, text: truncated ? Buffer.from(text).subarray(bytes - LOG_LIMIT).toString("utf8") : text, size: bytes, truncated, note: null };
    }),
  );
  app.get("/:id/steps/:step/log/events", async (c: Context) => {
    let stepRunId: string;
    const name = c.req.param("step") as string;
    try {
      const { steps } = await ui.koan.runDetails(c.req.param("id") as string);
      const s = steps.find((x) => x.step === name);
      if (!s) throw new KoanError("NOT_FOUND", `the run has no step run "${name}"`, { hint: `steps that ran: ${steps.map((x) => x.step).join(", ") || "none"}` });
      stepRunId = s.id;
    } catch (e) {
      return sendError(c, e, ui.koan.metadata);
    }
    return streamSSE(c, async (stream) => {
      let closed = false;
      stream.onAbort(() => {
        closed = true;
      });
      let offset = 0;
      while (!closed) {
        const live = await readLiveLog(stepRunId, offset, LOG_LIMIT).catch(() => undefined);
        if (live && (live.text || live.reset)) {
          offset = live.next;
          const event: LogAppendEvent = { text: live.text, reset: live.reset };
          await stream.writeSSE({ event: "append", data: JSON.stringify(event) });
        }
        const s = await ui.koan.metadata.getStepRun(stepRunId);
        if (!s || s.status !== "running") {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ status: s?.status ?? "deleted" }) });
          break;
        }
        await new Promise((r) => setTimeout(r, ui.pollMs));
      }
    });
  });
  return app;
}
