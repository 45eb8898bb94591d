/**
 * Component URIs for `koan stack register`: each names a flavor and its config.
 *
 * | URI | flavor | config |
 * |---|---|---|
 * | `file:///abs/path`, or a plain path | `local` | `{ path }` (absolute) |
 * | `s3://bucket/prefix?endpoint=&region=&forcePathStyle=true` | `s3` | `{ bucket, prefix?, endpoint?, region?, forcePathStyle? }` |
 * | `gs://bucket/prefix?endpoint=` | `gcs` | `{ bucket, prefix?, endpoint? }` |
 * | `azure://account/container/prefix?endpoint=` (or `az://`) | `azure` | `{ account, container, prefix?, endpoint? }` |
 * | `sqlite:///abs/path.db`, `sqlite:rel/path.db`, or a path ending `.db`/`.sqlite`/`.sqlite3` | `sqlite` | `{ path }` (absolute) |
 * | `postgres://user@host:port/db?schema=&passwordEnv=` (or `postgresql://`) | `postgres` | `{ url, schema?, passwordEnv? }` |
 *
 * Credentials never go in a URI literally: a password must be a `{{secret:NAME}}` reference (or come from the
 * cloud's own credential chain), so a URI carrying one is refused. Parsing needs no flavor to be registered.
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import { hasLiteralCredential, redactUri } from "../secrets/redact.js";
import { SECRET_REF } from "../secrets/names.js";

/** A component as stored in `.koan/config.yaml`. */
export interface ComponentSpec {
  flavor: string;
  config: { [key: string]: JsonValue };
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const AZ_ACCOUNT = /^[a-z0-9]{3,24}$/;
const AZ_CONTAINER = /^(\$root|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;

function bad(role: string, uri: string, why: string, hint?: string): KoanError {
  return new KoanError("CONFIG_INVALID", `${role} URI "${redactUri(uri)}": ${why}`, { hint: hint ?? "see docs/stacks.md for the URI forms", details: { component: role } });
}

function noCredentials(role: string, uri: string): void {
  if (hasLiteralCredential(uri)) {
    throw bad(role, uri, "holds a password or credential in clear text", "store it with `koan secret set NAME` and write {{secret:NAME}} in its place, or use the cloud's credential chain (environment, profile, workload identity)");
  }
}

/** Query parameters of a URL, refusing unknown names. */
function params(role: string, uri: string, url: URL, allowed: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of url.searchParams) {
    if (!allowed.includes(k)) throw bad(role, uri, `unknown parameter "${k}"`, allowed.length ? `allowed: ${allowed.join(", ")}` : "this kind of URI takes no parameters");
    if (k in out) throw bad(role, uri, `parameter "${k}" is given twice`);
    out[k] = v;
  }
  return out;
}

function parseUrl(role: string, uri: string): URL {
  try {
    return new URL(uri.replace(SECRET_REF, "secret"));
  } catch {
    throw bad(role, uri, "is not a valid URI");
  }
}

function prefixOf(pathname: string): { prefix?: string } {
  const p = decodeURIComponent(pathname).replace(/^\/+|\/+$/g, "");
  return p ? { prefix: p } : {};
}

function endpointOf(role: string, uri: string, value: string | undefined): { endpoint?: string } {
  if (value === undefined) return {};
  if (!/^https?:\/\/[^\s/]+/.test(value)) throw bad(role, uri, `endpoint "${value}" is not an http(s) URL`);
  return { endpoint: value.replace(/\/+$/, "") };
}

/** The local flavor for a path (made absolute against `cwd`). */
function localPath(role: string, uri: string, path: string, cwd: string): string {
  if (!path || /\0/.test(path)) throw bad(role, uri, "names no path");
  return isAbsolute(path) ? resolve(path) : resolve(cwd, path);
}

/** Parse an artifact store URI into a flavor and config. Throws `CONFIG_INVALID` naming the URI (redacted). */
export function parseArtifactStoreUri(uri: string, cwd: string = process.cwd()): ComponentSpec {
  const role = "artifact store";
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return { flavor: "local", config: { path: localPath(role, uri, uri, cwd) } };
  noCredentials(role, uri);
  if (scheme === "file") {
    if (!uri.startsWith("file:///")) throw bad(role, uri, "a file URI needs an absolute path (file:///...)");
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw bad(role, uri, "is not a valid file URI");
    }
    return { flavor: "local", config: { path } };
  }
  const url = parseUrl(role, uri);
  if (scheme === "s3") {
    const bucket = url.hostname;
    if (!BUCKET.test(bucket)) throw bad(role, uri, `"${bucket}" is not a valid bucket name`, "bucket names are 3-63 lowercase letters, digits, dots and hyphens");
    const q = params(role, uri, url, ["endpoint", "region", "forcePathStyle"]);
    if (q.forcePathStyle !== undefined && !["true", "false"].includes(q.forcePathStyle)) throw bad(role, uri, "forcePathStyle must be true or false");
    if (q.region !== undefined && !/^[a-z0-9-]{2,32}$/.test(q.region)) throw bad(role, uri, `region "${q.region}" is not a region name`);
    return {
      flavor: "s3",
      config: {
        bucket,
        ...prefixOf(url.pathname),
        ...endpointOf(role, uri, q.endpoint),
        ...(q.region ? { region: q.region } : {}),
        ...(q.forcePathStyle !== undefined ? { forcePathStyle: q.forcePathStyle === "true" } : {}),
      },
    };
  }
  if (scheme === "gs" || scheme === "gcs") {
    const bucket = url.hostname;
    if (!BUCKET.test(bucket) && !/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(bucket)) throw bad(role, uri, `"${bucket}" is not a valid bucket name`);
    const q = params(role, uri, url, ["endpoint"]);
    return { flavor: "gcs", config: { bucket, ...prefixOf(url.pathname), ...endpointOf(role, uri, q.endpoint) } };
  }
  if (scheme === "azure" || scheme === "az") {
    const account = url.hostname;
    if (!AZ_ACCOUNT.test(account)) throw bad(role, uri, `"${account}" is not a valid storage account name`, "account names are 3-24 lowercase letters and digits");
    const [container = "", ...rest] = decodeURIComponent(url.pathname).replace(/^\/+/, "").split("/");
    if (!AZ_CONTAINER.test(container)) throw bad(role, uri, container ? `"${container}" is not a valid container name` : "names no container", "use azure://account/container/prefix");
    const q = params(role, uri, url, ["endpoint"]);
    return { flavor: "azure", config: { account, container, ...prefixOf(rest.join("/")), ...endpointOf(role, uri, q.endpoint) } };
  }
  throw bad(role, uri, `unknown scheme "${scheme}:"`, "use file:///path (or a plain path), s3://, gs:// or azure://");
}

/** Parse a metadata store URI into a flavor and config. Throws `CONFIG_INVALID` naming the URI (redacted). */
export function parseMetadataStoreUri(uri: string, cwd: string = process.cwd()): ComponentSpec {
  const role = "metadata store";
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) {
    if (!/\.(db|sqlite|sqlite3)$/i.test(uri)) throw bad(role, uri, "a plain path must end in .db, .sqlite or .sqlite3", "or write sqlite:///path or postgres://user@host/db");
    return { flavor: "sqlite", config: { path: localPath(role, uri, uri, cwd) } };
  }
  noCredentials(role, uri);
  if (scheme === "sqlite") {
    const rest = uri.slice("sqlite:".length);
    if (rest.startsWith("//") && !rest.startsWith("///")) throw bad(role, uri, "an SQLite URI needs an absolute path (sqlite:///path) or a relative one (sqlite:path)");
    const path = rest.startsWith("///") ? rest.slice(2) : rest;
    return { flavor: "sqlite", config: { path: localPath(role, uri, decodeURIComponent(path), cwd) } };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    const url = parseUrl(role, uri);
    if (!url.hostname) throw bad(role, uri, "names no host", "use postgres://user@host:port/database");
    if (url.pathname.replace(/^\//, "").includes("/")) throw bad(role, uri, "the path must be just the database name");
    const known = ["schema", "passwordEnv"];
    const extra: { [key: string]: JsonValue } = {};
    for (const k of known) {
      const v = url.searchParams.get(k);
      if (v !== null) extra[k] = v;
    }
    // Remove Koan's own parameters from the text as given (keeping the {{secret:...}} references verbatim).
    const [base = "", query = ""] = uri.split("?", 2);
    const kept = query.split("&").filter((kv) => kv && !known.includes(decodeURIComponent(kv.split("=")[0] ?? "")));
    return { flavor: "postgres", config: { url: kept.length ? `${base}?${kept.join("&")}` : base, ...extra } };
  }
  throw bad(role, uri, `unknown scheme "${scheme}:"`, "use sqlite:///path.db (or a path ending in .db) or postgres://user@host:port/database");
}

/** A one-line, redacted URI describing a configured component (for `koan stack list` and `describe`). */
export function componentUri(component: { flavor: string; config: Record<string, unknown> }): string {
  const c = component.config;
  const str = (k: string): string => (typeof c[k] === "string" ? (c[k] as string) : "");
  const prefix = str("prefix") ? `/${str("prefix")}` : "";
  const query = (keys: string[]): string => {
    const q = keys.filter((k) => c[k] !== undefined).map((k) => `${k}=${String(c[k])}`);
    return q.length ? `?${q.join("&")}` : "";
  };
  switch (component.flavor) {
    case "local":
      return isAbsolute(str("path")) ? pathToFileURL(str("path")).href : str("path");
    case "sqlite":
      return isAbsolute(str("path")) ? `sqlite://${str("path")}` : `sqlite:${str("path")}`;
    case "postgres":
      return redactUri(str("url")) + (c.schema ? `${str("url").includes("?") ? "&" : "?"}schema=${str("schema")}` : "");
    case "s3":
      return redactUri(`s3://${str("bucket")}${prefix}${query(["endpoint", "region", "forcePathStyle"])}`);
    case "gcs":
      return redactUri(`gs://${str("bucket")}${prefix}${query(["endpoint"])}`);
    case "azure":
      return redactUri(`azure://${str("account")}/${str("container")}${prefix}${query(["endpoint"])}`);
    case "queue":
      return redactUri(str("url") || "redis://127.0.0.1:6379") + (c.queue ? ` (queue ${str("queue")})` : "");
    default:
      return Object.keys(c).length ? `${component.flavor}:` : "";
  }
}
