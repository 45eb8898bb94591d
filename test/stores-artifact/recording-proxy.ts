/**
 * A recording HTTP proxy on 127.0.0.1 in front of a local emulator (s3rver, Azurite): it forwards every request
 * unchanged (Host header included, so signatures still verify), records method, path, query and the headers
 * that matter, and can answer a chosen request with an error instead of forwarding it — to see the exact
 * request sequence of an upload and what happens when one of its requests fails.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";

export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The status the client got. */
  status?: number;
}

const KEPT = ["content-length", "content-type", "if-none-match", "if-match", "x-ms-blob-type", "content-range", "authorization"];

export class RecordingProxy {
  readonly requests: ProxiedRequest[] = [];
  /** Return a status to answer `req` with an error instead of forwarding it. */
  fail: ((req: ProxiedRequest) => number | undefined) | undefined;
  /** Runs before a request is forwarded (e.g. to let another writer win a race). */
  before: ((req: ProxiedRequest) => Promise<void>) | undefined;
  private server: Server | undefined;
  endpoint = "";

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://proxy");
      const rec: ProxiedRequest = {
        method: req.method ?? "",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: Object.fromEntries(KEPT.map((h) => [h, req.headers[h] as string | undefined])),
      };
      this.requests.push(rec);
      const status = this.fail?.(rec);
      if (status !== undefined) {
        rec.status = status;
        req.resume();
        req.on("end", () => {
          res.writeHead(status, { "content-type": "application/xml" });
          res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>InjectedFailure</Code><Message>injected by the test</Message></Error>`);
        });
        return;
      }
      req.pause();
      const forward = (): void => {
      const up = request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
        (r: IncomingMessage) => {
          rec.status = r.statusCode;
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on("error", () => res.destroy());
      req.pipe(up);
      req.resume();
      };
      if (this.before) this.before(rec).then(forward, () => res.destroy());
      else forward();
    });
    await new Promise<void>((r) => this.server?.listen(0, "127.0.0.1", r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this.endpoint;
  }

  /** Forget what was recorded (and any failure rule). */
  reset(): void {
    this.requests.length = 0;
    this.fail = undefined;
    this.before = undefined;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }
}
