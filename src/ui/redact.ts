/**
 * Keeping secrets out of API responses. Run records hold only flavors and URIs, but URIs may carry credentials
 * (`postgres://user:pass@host`, signed URLs) and user parameters may be named like secrets; every JSON response
 * passes through {@link redact}.
 * @module
 */

/** What replaces a redacted value. */
export const REDACTED = "[redacted]";

const SECRET_WORDS = /(^|_)(password|passwd|pwd|secret|token|api_key|apikey|access_key|secret_key|private_key|credential|credentials|auth|authorization|connection_string|sas)$/;
const SIGNED_QUERY = /(^|&)(sig|signature|x-amz-signature|x-goog-signature|token|access_token|key|sv|se|sp|skoid|password)=/i;

/** Whether an object key names a secret: `password`, `apiKey`, `db_password`, `authToken`, `secretAccessKey`, ... */
export function isSecretKey(key: string): boolean {
  const snake = key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
  return SECRET_WORDS.test(snake);
}

/** A URI without user info, and without a query string that carries a signature or token. */
export function redactUri(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  let out = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#\s]*@/i, `$1${REDACTED}@`);
  const q = out.indexOf("?");
  if (q >= 0 && SIGNED_QUERY.test(out.slice(q + 1))) out = `${out.slice(0, q)}?${REDACTED}`;
  return out;
}

const hide = (x: unknown): unknown => (x === null || typeof x === "boolean" ? x : Array.isArray(x) ? x.map(hide) : typeof x === "object" ? REDACTED : REDACTED);

/**
 * A deep copy of a JSON value with credentials in URIs and the values of secret-named keys redacted, including
 * key/value rows (`{ key: "db.password", values: [...] }`, as in comparisons).
 */
export function redact<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactUri(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const row = v as Record<string, unknown>;
      const rowName = typeof row.key === "string" ? row.key : typeof row.name === "string" ? row.name : undefined;
      const secretRow = rowName !== undefined && isSecretKey(rowName.split(/[.[]/).filter(Boolean).pop() ?? rowName);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(row)) {
        if (secretRow && (k === "value" || k === "values" || k === "points")) out[k] = hide(x);
        else out[k] = isSecretKey(k) && x !== null && typeof x !== "object" && typeof x !== "boolean" ? REDACTED : walk(x);
      }
      return out;
    }
    return v;
  };
  return walk(value) as T;
}
