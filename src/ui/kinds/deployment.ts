/**
 * Deployment artifacts for the Deployments page: where a model is served (`target`, `endpoint` or `url`, `model`,
 * `status`); every other plain field is shown as a detail (secret-named fields are redacted by the API).
 * @module
 */
import type { JsonValue } from "../../core/hash.js";
import type { DeploymentContent } from "../api-types.js";
import { jsonSafe } from "../json-safe.js";

const str = (v: unknown): string | null => (typeof v === "string" && v ? v : null);

/** The deployments page's view of a loaded deployment value. */
export function normalizeDeployment(value: unknown): DeploymentContent {
  const v = (value ?? {}) as Record<string, unknown>;
  const known = new Set(["target", "endpoint", "url", "model", "modelId", "status", "health"]);
  const details = Object.fromEntries(Object.entries(v).filter(([k]) => !known.has(k)).map(([k, x]) => [k, jsonSafe(x)])) as Record<string, JsonValue>;
  return {
    target: str(v.target),
    endpoint: str(v.endpoint) ?? str(v.url),
    model: str(v.model) ?? str(v.modelId),
    status: str(v.status) ?? str(v.health) ?? str((v.state as Record<string, unknown> | null | undefined)?.status),
    details,
  };
}
