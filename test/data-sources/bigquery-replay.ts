/**
 * A local HTTP server that replays recorded BigQuery REST API responses (`jobs.query`, `jobs.getQueryResults`),
 * for testing the BigQuery source through the official client with `apiEndpoint` pointing here. No BigQuery is
 * reachable from this machine, so the recordings in `fixtures/bigquery/*.json` were written by hand after the
 * API reference (v2), in the exact shapes the service returns.
 *
 * A recording is `{ "exchanges": [{ "request": { "method", "path", "body"?: {...}, "query"?: {...} },
 * "response": { "status", "body" } }] }`: a request matches when method and path are equal and every field given
 * in `body` / `query` is equal in the request. Unmatched requests get a 404 in BigQuery's error format.
 */
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** One recorded request/response pair. */
export interface Exchange {
  request: { method: string; path: string; body?: Record<string, unknown>; query?: Record<string, string> };
  response: { status: number; body: unknown };
}

/** A request the server received. */
export interface Received {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Record<string, unknown> | undefined;
  headers: IncomingMessage["headers"];
}

/** The recordings folder (the .json files are read from the TypeScript tree: tsc does not copy them). */
export const FIXTURES = join(fileURLToPath(new URL("../../../test/data-sources/fixtures/bigquery/", import.meta.url)));

/** Load a recording. */
export async function recording(name: string): Promise<Exchange[]> {
  return (JSON.parse(await readFile(join(FIXTURES, `${name}.json`), "utf8")) as { exchanges: Exchange[] }).exchanges;
}

/** A running replay server. */
export interface ReplayServer {
  /** `http://127.0.0.1:<port>`: the client's `apiEndpoint`. */
  endpoint: string;
  /** Every request received, in order. */
  received: Received[];
  /** Replace the active recordings. */
  use(exchanges: Exchange[]): void;
  close(): Promise<void>;
}

function matches(e: Exchange, r: Received): boolean {
  if (e.request.method !== r.method || e.request.path !== r.path) return false;
  for (const [k, v] of Object.entries(e.request.query ?? {})) if (r.query[k] !== v) return false;
  for (const [k, v] of Object.entries(e.request.body ?? {})) if (JSON.stringify(r.body?.[k]) !== JSON.stringify(v)) return false;
  return true;
}

/** Start a replay server on 127.0.0.1 with `exchanges` active. */
export async function startReplay(exchanges: Exchange[]): Promise<ReplayServer> {
  let active = exchanges;
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const r: Received = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
        headers: req.headers,
      };
      received.push(r);
      const hit = active.find((e) => matches(e, r));
      const status = hit?.response.status ?? 404;
      const body = hit?.response.body ?? { error: { code: 404, message: `Not found: no recorded response for ${r.method} ${r.path}`, errors: [{ message: "Not found", domain: "global", reason: "notFound" }], status: "NOT_FOUND" } };
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    received,
    use: (e) => {
      active = e;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
