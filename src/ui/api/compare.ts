/** Route: `GET /api/compare?runs=<id>,<id>[,...]` (or repeated `run=`). @module */
import { Hono } from "hono";
import { compareRuns } from "../../compare/compare.js";
import type { CompareView } from "../api-types.js";
import { jsonHandler, type UiContext } from "../context.js";

/** Most runs one comparison takes. */
export const MAX_COMPARED = 20;

export function compareRoutes(ui: UiContext): Hono {
  const app = new Hono();
  app.get(
    "/",
    jsonHandler(ui, async (c): Promise<CompareView> => {
      const params = new URL(c.req.url).searchParams;
      const refs = [...params.getAll("runs").flatMap((s) => s.split(",")), ...params.getAll("run")].map((s) => s.trim()).filter(Boolean);
      return compareRuns(ui.koan, refs.slice(0, MAX_COMPARED));
    }),
  );
  return app;
}
