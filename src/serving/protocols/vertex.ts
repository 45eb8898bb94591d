/**
 * Vertex AI custom-container conventions: the server listens on `AIP_HTTP_PORT`, answers health checks on
 * `AIP_HEALTH_ROUTE` and predictions on `AIP_PREDICT_ROUTE` (`{"instances": [...], "parameters": {...}}` in,
 * `{"predictions": [...]}` out), so the same image runs on Vertex AI.
 * @module
 */
import type { ServableModel } from "../model.js";
import { badRequest } from "../request-error.js";
import type { InputTensor } from "../rows.js";
import { instancesToTensors } from "./instances.js";

/** Vertex AI routes and port, from options or the `AIP_*` environment variables. */
export interface VertexRoutes {
  readonly healthRoute: string | undefined;
  readonly predictRoute: string | undefined;
  readonly port: number | undefined;
}

/** Read `AIP_HTTP_PORT`, `AIP_HEALTH_ROUTE` and `AIP_PREDICT_ROUTE`. */
export function vertexFromEnv(env: NodeJS.ProcessEnv = process.env): VertexRoutes {
  const port = env.AIP_HTTP_PORT ? Number(env.AIP_HTTP_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new RangeError(`AIP_HTTP_PORT must be a port number, got "${env.AIP_HTTP_PORT}"`);
  const route = (v: string | undefined): string | undefined => (v ? (v.startsWith("/") ? v : `/${v}`) : undefined);
  return { healthRoute: route(env.AIP_HEALTH_ROUTE), predictRoute: route(env.AIP_PREDICT_ROUTE), port };
}

/** Parse a Vertex AI prediction body. */
export function parseVertexPredict(model: ServableModel, body: unknown): InputTensor[] {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object with "instances"');
  const b = body as Record<string, unknown>;
  if (!("instances" in b)) throw badRequest('missing "instances"');
  if (b.parameters !== undefined && (typeof b.parameters !== "object" || b.parameters === null || Array.isArray(b.parameters))) throw badRequest("parameters must be an object");
  return instancesToTensors(model.signature, b.instances);
}
