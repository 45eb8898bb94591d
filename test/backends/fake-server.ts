/** A local fake HTTP API (127.0.0.1, free port) answering with recorded responses; it keeps every request. */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake received. */
export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: unknown;
}

/** What a route answers: a status and a JSON (or text) body. */
export interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
}

/** A route: answers a request, or undefined to fall through (404). */
export type Route = (req: SeenRequest) => Reply | undefined;

/** A started fake. */
export interface FakeServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Start a fake answering with the first route that answers. */
export async function fakeServer(routes: Route[]): Promise<FakeServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        /* keep the text */
      }
      const seen: SeenRequest = { method: req.method ?? "GET", path: url.pathname, query: url.searchParams, headers: req.headers, body };
      requests.push(seen);
      let reply: Reply | undefined;
      for (const r of routes) if ((reply = r(seen))) break;
      reply ??= { status: 404, json: { kind: "Status", apiVersion: "v1", status: "Failure", message: `no route for ${seen.method} ${seen.path}`, reason: "NotFound", code: 404 } };
      const payload = reply.text ?? JSON.stringify(reply.json ?? {});
      res.writeHead(reply.status ?? 200, { "content-type": reply.text !== undefined ? "text/plain" : "application/json" });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
