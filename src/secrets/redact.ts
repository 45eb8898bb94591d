/**
 * Redaction of URIs and configs for display and for the records a run keeps: passwords in a URL's user info,
 * credential-like query parameters and `{{secret:...}}` references all become `***`.
 * @module
 */
import { SECRET_REF } from "./names.js";

const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^@/?#]*)@/;
const CREDENTIAL_PARAM = /([?&;](?:password|passwd|pwd|pass|secret|token|key|apikey|api_key|sig|signature|accesskey|access_key|accesskeyid|secretkey|secret_key|secretaccesskey|sas|credential|credentials|auth)=)[^&;#]*/gi;

/** A URI safe to show or record: `postgres://me:pw@h/db` → `postgres://me:***@h/db`. */
export function redactUri(uri: string): string {
  let out = uri.replace(SECRET_REF, "***");
  const m = USERINFO.exec(out);
  if (m) {
    const info = m[2] ?? "";
    const colon = info.indexOf(":");
    if (colon >= 0) out = `${m[1]}${info.slice(0, colon)}:***@${out.slice(m[0].length)}`;
  }
  return out.replace(CREDENTIAL_PARAM, "$1***");
}

/** Whether a URI carries a password or credential literally (not as a `{{secret:...}}` reference). */
export function hasLiteralCredential(uri: string): boolean {
  const withoutRefs = uri.replace(SECRET_REF, "");
  const m = USERINFO.exec(withoutRefs);
  const info = m?.[2] ?? "";
  const colon = info.indexOf(":");
  if (colon >= 0 && info.slice(colon + 1) !== "") return true;
  for (const p of withoutRefs.matchAll(CREDENTIAL_PARAM)) if (p[0].length > (p[1]?.length ?? 0)) return true;
  return false;
}

/** A copy of a component config with every string redacted as a URI (safe for `describe` and run records). */
export function redactConfig<T>(config: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redactUri(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, /pass|secret|token|credential|key$/i.test(k) && typeof x === "string" ? "***" : walk(x)]));
    return v;
  };
  return walk(config) as T;
}
