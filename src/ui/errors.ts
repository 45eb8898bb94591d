/**
 * Turning errors into API responses: `KoanError` codes map to HTTP statuses (`NOT_FOUND` 404, `USAGE` 400, a corrupt
 * artifact 422, an unavailable store 503); any other error is a 503 when the metadata store no longer answers (the
 * dashboard shows a banner), else a 500.
 * @module
 */
import type { Context } from "hono";
import { KoanError } from "../core/errors.js";
import type { MetadataStore } from "../stores/metadata/types.js";
import type { ApiError } from "./api-types.js";

/** HTTP statuses the API uses for errors. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 422 | 500 | 503;

const STATUS: Partial<Record<string, ErrorStatus>> = {
  NOT_FOUND: 404,
  ARTIFACT_NOT_FOUND: 404,
  PROJECT_NOT_FOUND: 404,
  USAGE: 400,
  PARAM_INVALID: 400,
  ARTIFACT_CORRUPT: 422,
  MATERIALIZER_UNKNOWN: 422,
  FORMAT_INVALID: 422,
  STORE_UNAVAILABLE: 503,
};

/** An error as the API's JSON body and status. */
export async function toApiError(e: unknown, metadata: MetadataStore): Promise<{ status: ErrorStatus; body: ApiError }> {
  if (e instanceof KoanError) {
    return { status: STATUS[e.code] ?? 500, body: { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } } };
  }
  const message = e instanceof Error ? e.message : String(e);
  try {
    await metadata.countRuns({ limit: 1 });
  } catch (probe) {
    return {
      status: 503,
      body: {
        error: {
          code: "STORE_UNAVAILABLE",
          message: `the metadata store (${metadata.flavor}) is unreachable: ${probe instanceof Error ? probe.message : String(probe)}`,
          hint: "check that the store is running and reachable, then reload",
        },
      },
    };
  }
  return { status: 500, body: { error: { code: "INTERNAL", message } } };
}

/** Respond with an error. */
export async function sendError(c: Context, e: unknown, metadata: MetadataStore): Promise<Response> {
  const { status, body } = await toApiError(e, metadata);
  return c.json(body, status);
}
