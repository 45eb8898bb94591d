/**
 * The dashboard's HTTP application: security (token, host check, read-only), the JSON API under `/api/`, and the
 * built front-end for everything else.
 * @module
 */
import { Hono } from "hono";
import type { Koan } from "../client/client.js";
import { artifactsRoutes } from "./api/artifacts.js";
import { compareRoutes } from "./api/compare.js";
import { eventRoutes } from "./api/events.js";
import { healthRoutes } from "./api/health.js";
import { kindRoutes } from "./api/kinds.js";
import { runsRoutes } from "./api/runs.js";
import { Assets } from "./assets.js";
import { checkHost, requireToken } from "./auth.js";
import type { UiContext } from "./context.js";
import { RunIndex } from "./runs-index.js";

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Required on every request when set. */
  token?: string;
  /** The host the server binds (a loopback server without a token refuses other Host headers). */
  host?: string;
  /** Folder of the built front-end (default `dist/ui`). */
  assetsDir?: string;
  /** Milliseconds between store polls of live views (default 1000). */
  pollMs?: number;
}

const SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'",
};

/** Build the dashboard application over an open client. */
export function createApp(koan: Koan, options: AppOptions = {}): { app: Hono; ui: UiContext } {
  const ui: UiContext = { koan, index: new RunIndex(koan.metadata), pollMs: options.pollMs ?? 1000 };
  const assets = new Assets(options.assetsDir);
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });
  app.use("*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    c.header("Allow", "GET, HEAD");
    return c.json({ error: { code: "METHOD_NOT_ALLOWED", message: `the dashboard is read-only: ${c.req.method} is not allowed` } }, 405);
  });
  app.use("*", checkHost(options.host ?? "127.0.0.1", options.token));
  app.use("*", requireToken(options.token));

  app.route("/api/health", healthRoutes(ui));
  app.route("/api/runs", runsRoutes(ui));
  app.route("/api/artifacts", artifactsRoutes(ui));
  app.route("/api/compare", compareRoutes(ui));
  app.route("/api", kindRoutes(ui));
  app.route("/api", eventRoutes(ui));
  app.all("/api/*", (c) => c.json({ error: { code: "NOT_FOUND", message: `no API endpoint ${c.req.path}` } }, 404));

  app.get("*", async (c) => {
    const file = await assets.file(c, c.req.path);
    if (file) return file;
    if (c.req.path.startsWith("/assets/")) return c.text("not found", 404);
    return assets.page(c, (await pageExists(ui, c.req.path)) ? 200 : 404);
  });
  return { app, ui };
}

/** Whether a page URL names something that exists (runs and artifacts are checked; other pages always exist). */
async function pageExists(ui: UiContext, path: string): Promise<boolean> {
  const m = /^\/(runs|artifacts)\/([^/]+)/.exec(path);
  const known = ["/", "/runs", "/compare", "/deployments"];
  if (!m) return known.includes(path.replace(/\/$/, "") || "/");
  try {
    if (m[1] === "runs") await ui.koan.getRun(decodeURIComponent(m[2] as string));
    else await ui.koan.resolveArtifact(decodeURIComponent(m[2] as string));
    return true;
  } catch {
    return false;
  }
}
