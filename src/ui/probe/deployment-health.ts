/**
 * Live health of a recorded deployment: the dashboard server GETs the deployment's readiness endpoint (the Open
 * Inference Protocol's `/v2/health/ready`, which every Koan model server answers) with a short timeout.
 *
 * - `up`: the endpoint answered 2xx;
 * - `down`: a local or docker deployment that refused, timed out or answered an error (they are probed where they
 *   serve, on this machine);
 * - `unknown`: no http(s) endpoint was recorded, or a remote target (kserve, seldon, vertex, ...) did not answer
 *   2xx, which may only mean the dashboard cannot reach it or lacks credentials for it.
 *
 * Only http and https URLs are probed; nothing is sent but a GET without credentials.
 * @module
 */
import type { DeploymentHealth } from "../api-types.js";

/** Targets whose endpoint the dashboard's machine can reach (they serve on it). */
const LOCAL_TARGETS = new Set(["local", "docker"]);
const READY_PATH = "/v2/health/ready";

/** Default probe timeout in milliseconds. */
export const PROBE_TIMEOUT_MS = 1500;

/** The URL probed for an endpoint (its readiness path), or undefined when the endpoint is not http(s). */
export function readinessUrl(endpoint: string | null): string | undefined {
  if (!endpoint) return undefined;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username || url.password) return undefined; // never send credentials found in a record
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${READY_PATH}`;
  url.search = "";
  url.hash = "";
  return url.href;
}

/**
 * Probe a deployment (see the module comment).
 * @example
 * ```ts
 * await probeDeployment({ target: "local", endpoint: "http://127.0.0.1:8080" }); // { state: "up", ... }
 * ```
 */
export async function probeDeployment(d: { target: string | null; endpoint: string | null }, timeoutMs = PROBE_TIMEOUT_MS): Promise<DeploymentHealth> {
  const checkedAt = new Date().toISOString();
  const url = readinessUrl(d.endpoint);
  if (!url) return { state: "unknown", url: null, httpStatus: null, latencyMs: null, detail: d.endpoint ? "the endpoint is not an http(s) URL" : "no endpoint was recorded", checkedAt };
  const local = LOCAL_TARGETS.has(d.target ?? "");
  const started = performance.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual", headers: { accept: "application/json" } });
    await res.body?.cancel().catch(() => undefined);
    const latencyMs = Math.round(performance.now() - started);
    if (res.status >= 200 && res.status < 300) return { state: "up", url, httpStatus: res.status, latencyMs, detail: "ready", checkedAt };
    return { state: local ? "down" : "unknown", url, httpStatus: res.status, latencyMs, detail: `answered HTTP ${res.status}`, checkedAt };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    const timedOut = (e as Error).name === "TimeoutError";
    const detail = timedOut ? `no answer within ${timeoutMs} ms` : cause === "ECONNREFUSED" ? "connection refused" : `unreachable (${cause ?? (e as Error).message})`;
    return { state: local ? "down" : "unknown", url, httpStatus: null, latencyMs: null, detail, checkedAt };
  }
}
