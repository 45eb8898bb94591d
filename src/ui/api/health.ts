/** Route: `GET /api/health`: is the metadata store answering (the dashboard's banner reads this). @module */
import { basename } from "node:path";
import { Hono } from "hono";
import { KOAN_VERSION } from "../../version.js";
import type { HealthView } from "../api-types.js";
import type { UiContext } from "../context.js";

export function healthRoutes(ui: UiContext): Hono {
  const app = new Hono();
  app.get("/", async (c) => {
    let message: string | null = null;
    try {
      await ui.koan.metadata.countRuns({ limit: 1 });
    } catch (e) {
      message = `the metadata store (${ui.koan.metadata.flavor}) is unreachable: ${e instanceof Error ? e.message : String(e)}`;
    }
    const body: HealthView = {
      ok: message === null,
      store: { ok: message === null, flavor: ui.koan.metadata.flavor, message },
      project: basename(ui.koan.project.dir),
      version: KOAN_VERSION,
      ...(message === null ? {} : { error: { code: "STORE_UNAVAILABLE", message, hint: "check that the store is running and reachable, then reload" } }),
    };
    return c.json(body, message === null ? 200 : 503);
  });
  return app;
}
