/** Routes: `GET /api/runs`, `/api/runs/facets`, `/api/runs/:id`, `/api/runs/:id/steps/:step/log`. @module */
import { Hono } from "hono";
import { KoanError } from "../../core/errors.js";
import type { LogView } from "../api-types.js";
import { jsonHandler, type UiContext } from "../context.js";
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
      if (!s.logBlob) {
        const note = s.status === "running" ? "the log is stored when the step ends" : s.cacheHit ? "a cache hit runs no code, so it has no log" : "this step wrote no log";
        return { step: name, text: "", size: 0, truncated: false, note };
      }
      const text = await ui.koan.stepLog(s);
      const bytes = Buffer.byteLength(text);
      const truncated = bytes > LOG_LIMIT;
      return { step: name, text: truncated ? Buffer.from(text).subarray(bytes - LOG_LIMIT).toString("utf8") : text, size: bytes, truncated, note: null };
    }),
  );
  return app;
}
