/**
 * Secret names and references. A component config refers to a secret as `{{secret:NAME}}`; the value is looked
 * up only when the component is created (see `resolveSecrets`), never written back anywhere.
 * @module
 */
import { KoanError } from "../core/errors.js";

/** Valid secret names: a letter or digit, then letters, digits, `_` or `-` (at most 64). */
export const SECRET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Matches every `{{secret:NAME}}` reference in a string (global; reset `lastIndex` or use `matchAll`). */
export const SECRET_REF = /\{\{\s*secret:([^}\s]*)\s*\}\}/g;

/** Throw `USAGE` unless `name` is a valid secret name. */
export function checkSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new KoanError("USAGE", `"${name}" is not a valid secret name`, { hint: "use letters, digits, _ and - (at most 64 characters), starting with a letter or digit" });
  }
}

/** The environment variable that can hold secret `name`: `KOAN_SECRET_` + the name upper-cased, `-` as `_`. */
export function secretEnvVar(name: string): string {
  return `KOAN_SECRET_${name.toUpperCase().replace(/-/g, "_")}`;
}

/** The secret reference text for `name`. */
export function secretRef(name: string): string {
  return `{{secret:${name}}}`;
}

/** Names of the secrets referenced anywhere in a (JSON-like) value, sorted and unique. */
export function secretRefsIn(value: unknown): string[] {
  const names = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string") for (const m of v.matchAll(SECRET_REF)) names.add(m[1] ?? "");
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return [...names].sort();
}
