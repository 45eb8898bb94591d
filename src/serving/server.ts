/**
 * The Koan model server: one or more servables over the Open Inference Protocol (V2) REST API, TF Serving's
 * REST API, Vertex AI's custom-container routes and Prometheus `/metrics` on one port, and the V2 gRPC API on a
 * second port. Concurrent requests are micro-batched. `close()` drains: readiness turns false, new connections
 * are refused, in-flight requests finish, then the server stops.
 *
 * Built on `node:http` (not a framework): the routes are few and fixed, and per-request overhead decides how
 * close the server gets to a bare `http` server calling the same predict function (docs/serving.md has the
 * measurements).
 *
 * @example
 * ```ts
 * import { startServer } from "koan";
 * const server = await startServer(model, { port: 8080, grpcPort: 8081 });
 * // POST http://127.0.0.1:8080/v2/models/<name>/infer
 * await server.close();
 * ```
 * @module
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { BatchingOptions } from "./batcher.js";
import { ModelHost } from "./host.js";
import { ServerMetrics } from "./metrics.js";
import type { ServableModel } from "./model.js";
import { vertexFromEnv, type VertexRoutes } from "./protocols/vertex.js";
import { restHandler } from "./rest.js";

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** Address to bind (default `127.0.0.1`; use `0.0.0.0` inside containers). */
  host?: string;
  /** REST port (default: `AIP_HTTP_PORT` when set, else 8080; 0 picks a free port). */
  port?: number;
  /** gRPC port for the V2 gRPC API (0 picks a free port; default: no gRPC server). */
  grpcPort?: number;
  /** Largest accepted request body in bytes (default 16 MiB); larger ones get a 413. */
  maxBodyBytes?: number;
  /** Micro-batching (default on, up to 64 rows, no added wait). */
  batching?: BatchingOptions;
  /** Vertex AI routes (default: from `AIP_HEALTH_ROUTE` / `AIP_PREDICT_ROUTE`). */
  vertex?: Partial<VertexRoutes>;
  /** Longest wait for in-flight requests on close, in ms (default 30 s); then connections are cut. */
  drainTimeoutMs?: number;
  /** Where unexpected errors are reported (default: stderr). */
  onError?: (e: unknown) => void;
  /** Environment to read `AIP_*` variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/** A running server. */
export interface ModelServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The gRPC port, when a gRPC server runs. */
  readonly grpcPort: number | undefined;
  readonly models: readonly ServableModel[];
  readonly metrics: ServerMetrics;
  /** Requests being answered now (REST and gRPC). */
  readonly inFlight: number;
  /** Requests waiting for a micro-batch now. */
  readonly queued: number;
  /** Stop gracefully (idempotent): readiness off, finish in-flight requests, close. */
  close(): Promise<void>;
}

/** Start serving `models` (one or several). Resolves once both ports listen. */
export async function startServer(models: ServableModel | readonly ServableModel[], options: ServerOptions = {}): Promise<ModelServer> {
  const list = Array.isArray(models) ? (models as readonly ServableModel[]) : [models as ServableModel];
  const env = options.env ?? process.env;
  const fromEnv = vertexFromEnv(env);
  const vertex: VertexRoutes = {
    healthRoute: options.vertex?.healthRoute ?? fromEnv.healthRoute,
    predictRoute: options.vertex?.predictRoute ?? fromEnv.predictRoute,
    port: options.vertex?.port ?? fromEnv.port,
  };
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? vertex.port ?? 8080;
  const metrics = new ServerMetrics();
  const models_ = new ModelHost(list, options.batching ?? {}, metrics);
  const onError = options.onError ?? ((e: unknown) => process.stderr.write(`koan serve: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`));
  let draining = false;
  let inFlight = 0;
  const handler = restHandler(models_, metrics, { maxBodyBytes: options.maxBodyBytes ?? 16 << 20, vertex, draining: () => draining, onError });
  const server: Server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    inFlight++;
    res.once("close", () => inFlight--);
    handler(req, res);
  });
  server.headersTimeout = 66_000;
  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  let grpc: { port: number; close: (deadlineMs: number) => Promise<void>; inFlight: () => number } | undefined;
  if (options.grpcPort !== undefined) {
    try {
      const { startGrpc } = await import("./grpc/server.js");
      grpc = await startGrpc(models_, metrics, host, options.grpcPort, () => draining, onError);
    } catch (e) {
      await new Promise((r) => server.close(r));
      throw e;
    }
  }
  models_.ready = true;
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${bound}`,
    host,
    port: bound,
    grpcPort: grpc?.port,
    models: list,
    metrics,
    get queued() {
      return models_.queued;
    },
    get inFlight() {
      return inFlight + (grpc?.inFlight() ?? 0);
    },
    close() {
      closing ??= (async () => {
        draining = true;
        models_.ready = false;
        const deadline = options.drainTimeoutMs ?? 30_000;
        const httpClosed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), deadline);
        timer.unref();
        await Promise.all([httpClosed, grpc?.close(deadline)]);
        clearTimeout(timer);
        await models_.drain();
      })();
      return closing;
    },
  };
}
