/**
 * The REST front end: one `node:http` request handler routing the Open Inference Protocol (V2), TF Serving and
 * Vertex AI paths plus `/metrics`. Every failure becomes an `{"error": "..."}` answer with its status; nothing a
 * client sends can throw out of the handler.
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ModelHost } from "./host.js";
import { parseJson, readBody, send } from "./http-io.js";
import type { ServerMetrics } from "./metrics.js";
import { RequestError } from "./request-error.js";
import { columnsOf, predictionsOf } from "./protocols/instances.js";
import { parseTfPredict, tfModelMetadata, tfModelStatus } from "./protocols/tfserving.js";
import { modelMetadata, parseV2Request, serverMetadata, v2BinaryResponse, v2Response } from "./protocols/v2.js";
import { HEADER_LENGTH, splitBody } from "./protocols/v2-binary.js";
import { parseVertexPredict, type VertexRoutes } from "./protocols/vertex.js";

/** Options of the REST handler. */
export interface RestOptions {
  readonly maxBodyBytes: number;
  readonly vertex: VertexRoutes;
  /** True once shutdown began: answers carry `Connection: close`. */
  readonly draining: () => boolean;
  /** Called with unexpected (500) errors. */
  readonly onError: (e: unknown) => void;
}

/** An answer: status, body (JSON value, or raw bytes with their content type in the headers), extra headers. */
type Reply = [number, unknown] | [number, unknown, Record<string, string>];
type Handler = (req: IncomingMessage, res: ServerResponse, body: () => Promise<unknown>, bytes: () => Promise<Buffer>) => Promise<Reply> | Reply;
interface Route {
  readonly pattern: string;
  readonly method: "GET" | "POST";
  readonly handle: Handler;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RequestError(400, `bad URL escape in "${s}"`);
  }
};

/** Build the request handler. */
export function restHandler(host: ModelHost, metrics: ServerMetrics, options: RestOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const health = (ok: boolean, key: "live" | "ready"): [number, unknown] => [ok ? 200 : 503, { [key]: ok }];

  const v2Model = (name: string, version: string | undefined, action: string | undefined): Route | undefined => {
    if (action === undefined) return { pattern: version === undefined ? "/v2/models/{name}" : "/v2/models/{name}/versions/{version}", method: "GET", handle: () => [200, modelMetadata(host.entry(name, version).model)] };
    if (action === "ready") {
      return {
        pattern: version === undefined ? "/v2/models/{name}/ready" : "/v2/models/{name}/versions/{version}/ready",
        method: "GET",
        handle: () => {
          const { model } = host.entry(name, version);
          return [host.ready ? 200 : 503, { name: model.name, ready: host.ready }];
        },
      };
    }
    if (action === "infer") {
      return {
        pattern: version === undefined ? "/v2/models/{name}/infer" : "/v2/models/{name}/versions/{version}/infer",
        method: "POST",
        handle: async (req, _res, _body, bytes) => {
          host.entry(name, version);
          const { json, binary } = splitBody(await bytes(), req.headers[HEADER_LENGTH]);
          const request = parseV2Request(parseJson(json), binary);
          const { model, outputs } = await host.infer(name, version, request.inputs, request.outputs);
          if (request.binaryOutputs === "all" || request.binaryOutputs.size > 0) {
            const { header, body } = v2BinaryResponse(model, request.id, outputs, request.binaryOutputs);
            return [200, body, { "content-type": "application/octet-stream", [HEADER_LENGTH]: String(header.length) }];
          }
          return [200, v2Response(model, request.id, outputs)];
        },
      };
    }
    return undefined;
  };

  const v1Model = (rest: string): Route | undefined => {
    const colon = rest.lastIndexOf(":");
    const verb = colon > rest.lastIndexOf("/") ? rest.slice(colon + 1) : undefined;
    const parts = (verb === undefined ? rest : rest.slice(0, colon)).split("/").map(decode);
    const name = parts[0] as string;
    let i = 1;
    let version: string | undefined;
    if (parts[i] === "versions" && parts.length > i + 1) {
      version = parts[i + 1];
      i += 2;
    } else if (parts[i] === "labels") {
      return { pattern: "/v1/models/{name}/labels/{label}", method: "GET", handle: () => [404, { error: "version labels are not supported: use /versions/{version}" }] };
    }
    const tail = parts.slice(i).join("/");
    const vp = version === undefined ? "/v1/models/{name}" : "/v1/models/{name}/versions/{version}";
    if (verb === undefined && tail === "") return { pattern: vp, method: "GET", handle: () => [200, tfModelStatus(host.entry(name, version).model, host.ready)] };
    if (verb === undefined && tail === "metadata") return { pattern: `${vp}/metadata`, method: "GET", handle: () => [200, tfModelMetadata(host.entry(name, version).model)] };
    if (verb === "predict" && tail === "") {
      return {
        pattern: `${vp}:predict`,
        method: "POST",
        handle: async (_req, _res, body) => {
          const { model } = host.entry(name, version);
          const request = parseTfPredict(model, await body());
          const { outputs } = await host.infer(name, version, request.inputs);
          return [200, request.format === "row" ? { predictions: predictionsOf(outputs) } : { outputs: columnsOf(outputs) }];
        },
      };
    }
    if ((verb === "classify" || verb === "regress") && tail === "") {
      return { pattern: `${vp}:${verb}`, method: "POST", handle: () => [400, { error: `:${verb} is not supported by this server: use :predict` }] };
    }
    return undefined;
  };

  const route = (path: string): Route | undefined => {
    const { healthRoute, predictRoute } = options.vertex;
    if (predictRoute !== undefined && path === predictRoute) {
      return {
        pattern: "vertex:predict",
        method: "POST",
        handle: async (_req, _res, body) => {
          const model = host.default;
          const inputs = parseVertexPredict(model, await body());
          const { outputs } = await host.infer(model.name, undefined, inputs);
          return [200, { predictions: predictionsOf(outputs) }];
        },
      };
    }
    if (healthRoute !== undefined && path === healthRoute) return { pattern: "vertex:health", method: "GET", handle: () => health(host.ready, "ready") };
    switch (path) {
      case "/v2/health/live":
        return { pattern: path, method: "GET", handle: () => health(true, "live") };
      case "/v2/health/ready":
        return { pattern: path, method: "GET", handle: () => health(host.ready, "ready") };
      case "/v2":
      case "/v2/":
        return { pattern: "/v2", method: "GET", handle: () => [200, serverMetadata()] };
      case "/metrics":
        return { pattern: path, method: "GET", handle: () => [200, metrics.render(host.default)] };
    }
    if (path.startsWith("/v2/models/")) {
      const parts = path.slice("/v2/models/".length).split("/").map(decode);
      const name = parts[0] as string;
      if (name === "") return undefined;
      if (parts[1] === "versions" && parts.length >= 3 && parts.length <= 4) return v2Model(name, parts[2], parts[3]);
      if (parts.length <= 2) return v2Model(name, undefined, parts[1]);
      return undefined;
    }
    if (path.startsWith("/v1/models/") && path.length > "/v1/models/".length) return v1Model(path.slice("/v1/models/".length));
    return undefined;
  };

  return (req, res) => {
    const started = process.hrtime.bigint();
    metrics.started();
    let pattern = "unmatched";
    let status = 500;
    const protocol = (): string => (pattern.startsWith("/v2") ? "v2" : pattern.startsWith("/v1") ? "tfserving" : pattern.startsWith("vertex") ? "vertex" : "http");
    const finish = (code: number, body: unknown, close = false, headers?: Record<string, string>): void => {
      status = code;
      const isText = pattern === "/metrics" && code === 200;
      send(res, code, body, { close: close || options.draining(), ...(isText ? { contentType: "text/plain; version=0.0.4; charset=utf-8" } : {}), ...(headers ? { headers } : {}) });
      metrics.finished(protocol(), pattern, status, Number(process.hrtime.bigint() - started) / 1e9);
    };
    const fail = (e: unknown): void => {
      if (e instanceof RequestError) {
        finish(e.status, { error: e.message }, e.status === 413);
        if (e.status === 413) res.once("finish", () => req.destroy());
      } else {
        options.onError(e);
        finish(500, { error: `internal error: ${e instanceof Error ? e.message : String(e)}` });
      }
    };
    try {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const r = route(q === -1 ? url : url.slice(0, q));
      if (!r) {
        pattern = "unmatched";
        finish(404, { error: `no route for ${req.method} ${url.slice(0, 200)}` });
        req.resume();
        return;
      }
      pattern = r.pattern;
      if (req.method !== r.method && !(r.method === "GET" && req.method === "HEAD")) {
        req.resume();
        status = 405;
        send(res, 405, { error: `${req.method} is not allowed on ${r.pattern}; use ${r.method}` }, { headers: { allow: r.method }, close: options.draining() });
        metrics.finished(protocol(), pattern, 405, Number(process.hrtime.bigint() - started) / 1e9);
        return;
      }
      const bytes = (): Promise<Buffer> => readBody(req, options.maxBodyBytes);
      const body = async (): Promise<unknown> => parseJson(await bytes());
      if (r.method === "GET") req.resume();
      const out = r.handle(req, res, body, bytes);
      if (Array.isArray(out)) finish(out[0], out[1], false, out[2]);
      else out.then(([code, b, h]) => finish(code, b, false, h), fail);
    } catch (e) {
      fail(e);
    }
  };
}
