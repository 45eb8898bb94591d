/** Making loaded values JSON-safe for responses (bigint, bytes, NaN, dates, typed arrays). @module */
import type { JsonValue } from "../core/hash.js";

/** A JSON value for any loaded value: bigint → string, bytes → `<n bytes>`, non-finite numbers → their name. */
export function jsonSafe(v: unknown, depth = 0): JsonValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case "string":
    case "boolean":
      return v;
    case "number":
      return Number.isFinite(v) ? v : String(v);
    case "bigint":
      return v.toString();
    case "object": {
      if (depth > 20) return "…";
      if (v instanceof Date) return v.toISOString();
      if (v instanceof Uint8Array) return v.length <= 64 ? Buffer.from(v).toString("utf8") : `<${v.length} bytes>`;
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => jsonSafe(x, depth + 1));
      if (Array.isArray(v)) return v.map((x) => jsonSafe(x, depth + 1));
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, jsonSafe(x, depth + 1)]));
    }
    default:
      return String(v);
  }
}
