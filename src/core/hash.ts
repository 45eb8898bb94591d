/**
 * Content hashing and canonical JSON: the basis of cache keys and content addressing.
 *
 * Canonical JSON sorts object keys and refuses values that JSON cannot hold exactly (functions, `undefined`
 * inside arrays, `NaN`, `Infinity`, bigint, symbols, class instances other than plain objects and arrays), so the
 * same value always gives the same bytes and therefore the same hash, whatever the insertion order of its keys.
 * @module
 */
import { createHash } from "node:crypto";
import { KoanError } from "./errors.js";

/** Hex SHA-256 of bytes or a string (UTF-8). */
export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** A JSON value as Koan stores it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialise a value as canonical JSON (sorted keys, no whitespace).
 * Object properties whose value is `undefined` are omitted, as `JSON.stringify` does.
 * @throws KoanError `DATA_INVALID` naming the path of the first value JSON cannot represent.
 * @example
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const problem = jsonProblem(value, "$");
  if (problem) throw new KoanError("DATA_INVALID", `value is not JSON-serialisable: ${problem}`);
  return stringify(value);
}

/** The first reason a value is not canonical-JSON-serialisable, naming its path (`$.a[2].b`), or undefined. */
export function jsonProblem(value: unknown, path = "$"): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is ${value}`;
    case "object": {
      if (value === null) return undefined;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) return `${path}[${i}] is undefined`;
          const p = jsonProblem(value[i], `${path}[${i}]`);
          if (p) return p;
        }
        return undefined;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        return `${path} is a ${(value as object).constructor?.name ?? "non-plain object"}, not a plain object`;
      }
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        const p = jsonProblem(v, `${path}.${k}`);
        if (p) return p;
      }
      return undefined;
    }
    default:
      return `${path} is a ${typeof value}`;
  }
}

function stringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stringify).join(",")}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stringify((value as Record<string, unknown>)[k])}`).join(",")}}`;
}

/** SHA-256 of the canonical JSON of a value. */
export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}
