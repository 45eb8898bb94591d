/**
 * Resolving `{{secret:NAME}}` references in a component config, and scrubbing secret values out of any text
 * (error messages, stacks) that might carry them.
 *
 * Inside a URL (a string starting with `scheme://`), a value is percent-encoded, so a password holding `@` or
 * `/` still makes a valid URL. A reference to a missing secret is `CONFIG_INVALID` naming the secret, never a
 * value.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { SECRET_NAME, SECRET_REF, secretEnvVar } from "./names.js";
import { getSecret } from "./store.js";

/** A config with its references replaced, and the secret values used (to scrub from errors). */
export interface ResolvedConfig<T> {
  config: T;
  values: string[];
}

const URL_START = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Replace every `{{secret:NAME}}` in the string values of `config` (recursively) using `lookup`.
 * `where` names the component in errors.
 */
export function resolveSecrets<T>(config: T, where: string, lookup: (name: string) => string | undefined = (n) => getSecret(n)): ResolvedConfig<T> {
  const values = new Set<string>();
  const replace = (s: string): string => {
    const isUrl = URL_START.test(s);
    return s.replace(SECRET_REF, (_m, name: string) => {
      if (!SECRET_NAME.test(name)) throw new KoanError("CONFIG_INVALID", `${where}: "${name}" in a {{secret:...}} reference is not a valid secret name`);
      const v = lookup(name);
      if (v === undefined) {
        throw new KoanError("CONFIG_INVALID", `${where}: secret "${name}" is not set`, {
          hint: `set it with \`koan secret set ${name}\` (value on stdin) or the environment variable ${secretEnvVar(name)}`,
          details: { secret: name },
        });
      }
      values.add(v);
      if (isUrl) values.add(encodeURIComponent(v));
      return isUrl ? encodeURIComponent(v) : v;
    });
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return replace(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { config: walk(config) as T, values: [...values] };
}

/** Replace each of `values` in `text` by `***`. */
export function scrubText(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of [...values].sort((a, b) => b.length - a.length)) if (v) out = out.split(v).join("***");
  return out;
}

/**
 * Scrub secret values from an error (message, stack, hint, details, and its causes), in place, and return it.
 * Non-Error values become an Error with a scrubbed message.
 */
export function scrubError(e: unknown, values: readonly string[]): unknown {
  if (!values.length) return e;
  const seen = new Set<unknown>();
  const scrubOne = (x: unknown): unknown => {
    if (!(x instanceof Error)) return typeof x === "string" ? scrubText(x, values) : x;
    if (seen.has(x)) return x;
    seen.add(x);
    const w = x as Error & { hint?: unknown; details?: unknown; cause?: unknown };
    try {
      w.message = scrubText(w.message, values);
      if (w.stack) w.stack = scrubText(w.stack, values);
      if (typeof w.hint === "string") Object.defineProperty(w, "hint", { value: scrubText(w.hint, values) });
      if (w.details && typeof w.details === "object") {
        Object.defineProperty(w, "details", { value: JSON.parse(scrubText(JSON.stringify(w.details), values)) as unknown });
      }
      if (w.cause !== undefined) Object.defineProperty(w, "cause", { value: scrubOne(w.cause), configurable: true, writable: true });
    } catch {
      /* a frozen error: leave it */
    }
    return w;
  };
  if (!(e instanceof Error)) return new Error(scrubText(String(e), values));
  return scrubOne(e);
}
