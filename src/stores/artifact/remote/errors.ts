/**
 * Errors of the remote artifact stores: every SDK failure becomes one {@link KoanError} that names the component,
 * the flavor and the bucket, says what to do, and never carries a credential (SDK errors can hold request URLs
 * with SAS signatures or connection strings, so the original error is replaced by a redacted copy).
 * @module
 */
import { KoanError, type KoanErrorCode } from "../../../core/errors.js";
import type { Failure } from "./backend.js";

/** Where a remote store lives, for messages. */
export interface StoreWhere {
  /** `s3`, `azure`, `gcs`. */
  readonly flavor: string;
  /** The store's URI, e.g. `s3://team-artifacts/koan`. */
  readonly uri: string;
  /** `bucket` or `container`. */
  readonly bucketNoun: "bucket" | "container";
  readonly bucket: string;
  /** The endpoint actually called, when it is not the cloud's default (redacted). */
  readonly endpoint?: string;
  /** Where credentials come from, one sentence (the hint for refused or missing credentials). */
  readonly credentialsHint: string;
  /** Values that must never appear in a message (resolved credentials), besides the patterns below. */
  readonly secrets?: readonly string[];
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ECONNABORTED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "TimeoutError",
  "RequestTimeout",
]);

/** The network error code of `e` (or of one of its causes / aggregated errors), if it is a connection failure. */
export function networkCode(e: unknown, depth = 0): string | undefined {
  if (!e || typeof e !== "object" || depth > 4) return undefined;
  const o = e as { code?: unknown; name?: unknown; errno?: unknown; cause?: unknown; errors?: unknown };
  if (typeof o.code === "string" && NETWORK_CODES.has(o.code)) return o.code;
  if (o.name === "TimeoutError") return "TimeoutError";
  if (Array.isArray(o.errors)) for (const x of o.errors) {
    const c = networkCode(x, depth + 1);
    if (c) return c;
  }
  return networkCode(o.cause, depth + 1);
}

const SECRET_PARAMS =
  /\b(sig|se|sv|sp|spr|srt|ss|st|sr|skoid|sktid|skt|ske|sks|skv|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|x-goog-credential|access_token|accountkey|sharedaccesssignature|password|token|secret|client_secret)=([^&;\s"'<>]+)/gi;

/** Remove credentials from text: signed query parameters, connection-string keys, Authorization headers, known values. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("<redacted>");
  out = out.replace(SECRET_PARAMS, (_m, k: string) => `${k}=<redacted>`);
  out = out.replace(/(authorization["']?\s*[:=]\s*["']?)(\w+\s+)?[^\s"',}]+/gi, "$1<redacted>");
  out = out.replace(/(\/\/)[^/@\s]+:[^/@\s]+@/g, "$1<redacted>@");
  return out;
}

/** A URL for messages: no user info, no query (SAS tokens live there). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    u.search = "";
    u.hash = "";
    return u.href.replace(/\/$/, "");
  } catch {
    return redact(url);
  }
}

/** A plain, redacted stand-in for an SDK error (kept as `cause` so the failing call is still visible). */
function safeCause(e: unknown, where: StoreWhere): Error {
  const o = (e ?? {}) as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown };
  const err = new Error(redact(typeof o.message === "string" ? o.message : String(e), where.secrets));
  err.name = typeof o.name === "string" ? o.name : "Error";
  if (typeof o.stack === "string") err.stack = redact(o.stack, where.secrets);
  if (typeof o.code === "string" || typeof o.code === "number") (err as Error & { code?: unknown }).code = o.code;
  return err;
}

function shortMessage(e: unknown, where: StoreWhere): string {
  const m = e instanceof Error ? e.message : String(e);
  return redact(m.split("\n")[0] ?? "", where.secrets).slice(0, 300);
}

/** Turn a classified SDK failure during `operation` into a KoanError. */
export function storeError(where: StoreWhere, operation: string, failure: Failure, error: unknown): KoanError {
  const at = where.endpoint ? ` at ${where.endpoint}` : "";
  const head = `artifact store ${where.flavor} (${where.uri})`;
  const status = [failure.status, failure.code].filter((x) => x !== undefined).join(" ");
  const details = {
    component: "artifact-store",
    flavor: where.flavor,
    [where.bucketNoun]: where.bucket,
    ...(where.endpoint ? { endpoint: where.endpoint } : {}),
    operation,
    reason: failure.kind,
    ...(failure.status !== undefined ? { status: failure.status } : {}),
    ...(failure.code !== undefined ? { serviceCode: failure.code } : {}),
  };
  const make = (code: KoanErrorCode, message: string, hint: string): KoanError =>
    new KoanError(code, `${head}: ${message}`, { hint, details, cause: safeCause(error, where) });
  switch (failure.kind) {
    case "bucket-missing":
      return make(
        "CONFIG_INVALID",
        `the ${where.bucketNoun} "${where.bucket}" does not exist${at}`,
        `create the ${where.bucketNoun}, or fix "${where.bucketNoun}" in the stack's artifactStore config`,
      );
    case "misconfigured":
      return make("CONFIG_INVALID", `the ${where.bucketNoun} "${where.bucket}" cannot be used as configured${status ? ` (${status})` : ""}: ${shortMessage(error, where)}`, "check the region, endpoint and names in the stack's artifactStore config");
    case "denied":
      return make("STORE_UNAVAILABLE", `access to the ${where.bucketNoun} "${where.bucket}" was refused${status ? ` (${status})` : ""}${at}`, where.credentialsHint);
    case "no-credentials":
      return make("STORE_UNAVAILABLE", `no credentials were found for the ${where.bucketNoun} "${where.bucket}": ${shortMessage(error, where)}`, where.credentialsHint);
    case "unreachable":
      return make(
        "STORE_UNAVAILABLE",
        `cannot reach the ${where.bucketNoun} "${where.bucket}"${at || " (default endpoint)"}: ${failure.code ?? "connection failed"}`,
        "check the network and the endpoint in the stack's artifactStore config",
      );
    default:
      return make("STORE_UNAVAILABLE", `${operation} on the ${where.bucketNoun} "${where.bucket}" failed${status ? ` (${status})` : ""}: ${shortMessage(error, where)}`, "retry; if it persists, check the service's status and the stack's artifactStore config");
  }
}
