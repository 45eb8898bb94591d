/**
 * The built front-end (`dist/ui/`, written by `vite build ui`): static files, and `index.html` for every page URL
 * (the front-end routes on the client). Page URLs naming an unknown run or artifact get `index.html` with status
 * 404, and the page shows its not-found view. Without a build, pages explain how to make one (the API still works).
 * @module
 */
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "hono";

/** The default folder of the built front-end: `dist/ui` beside the compiled `dist/src`. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL("../../ui/", import.meta.url));

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".map": "application/json",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Koan</title><body style="font-family:system-ui;margin:3rem">
<h1>The dashboard's front-end is not built</h1><p>Run <code>npm run build</code> (or <code>npx vite build ui</code>) in the Koan
package, then reload. The JSON API works meanwhile: <a href="/api/runs">/api/runs</a>.</p></body>`;

/** Serves files from a built front-end folder. */
export class Assets {
  private index: string | undefined;
  constructor(readonly dir: string = DEFAULT_ASSETS_DIR) {}

  /** Whether the front-end has been built. */
  get built(): boolean {
    return existsSync(join(this.dir, "index.html"));
  }

  /** A static file under the folder (never outside it), or undefined. */
  async file(c: Context, path: string): Promise<Response | undefined> {
    const root = resolve(this.dir);
    const full = resolve(root, `.${decodeURIComponent(path)}`);
    if (!full.startsWith(root + sep) || full.endsWith(`${sep}index.html`)) return undefined;
    const s = await stat(full).catch(() => undefined);
    if (!s?.isFile()) return undefined;
    const body = await readFile(full);
    c.header("Content-Type", TYPES[extname(full)] ?? "application/octet-stream");
    c.header("Cache-Control", path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
    return c.body(body);
  }

  /** The app page (`index.html`) with a status. */
  async page(c: Context, status: 200 | 404): Promise<Response> {
    if (!this.built) return c.html(NOT_BUILT, status === 404 ? 404 : 503);
    this.index ??= await readFile(join(this.dir, "index.html"), "utf8");
    c.header("Cache-Control", "no-cache");
    return c.html(this.index, status);
  }
}
