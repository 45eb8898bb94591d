/**
 * BigQuery values (as the official client parses them, with `wrapIntegers`) to Example values: INT64 and BOOL →
 * int64, FLOAT64 / NUMERIC / BIGNUMERIC → float, BYTES → bytes as is, REPEATED fields → multi-valued features,
 * RECORD → bytes holding JSON, everything else (STRING, DATE, TIMESTAMP, JSON, GEOGRAPHY, ...) → bytes of the text
 * form. NULL → a present, empty feature.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "../../data/example/types.js";
import type { RowScalar, RowValue } from "../../data/example/rows.js";

/** A field of a BigQuery table schema (`TableFieldSchema`). */
export interface BqField {
  readonly name: string;
  readonly type: string;
  readonly mode?: string;
  readonly fields?: readonly BqField[];
}

/** The Example kind of a BigQuery type. */
export function bqKind(type: string): FeatureKind {
  switch (type) {
    case "INTEGER":
    case "INT64":
    case "BOOLEAN":
    case "BOOL":
      return "int64";
    case "FLOAT":
    case "FLOAT64":
    case "NUMERIC":
    case "BIGNUMERIC":
      return "float";
    default:
      return "bytes";
  }
}

function textOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as { value?: unknown }).value === "string") return (v as { value: string }).value;
  return String(v);
}

function json(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x && typeof x === "object" && typeof (x as { value?: unknown }).value === "string" && !Array.isArray(x) && Object.keys(x).length <= 1 ? (x as { value: string }).value : x));
}

function scalar(field: BqField, v: unknown): RowScalar {
  switch (field.type) {
    case "INTEGER":
    case "INT64":
      return BigInt(textOf(v));
    case "BOOLEAN":
    case "BOOL":
      return v === true ? 1n : 0n;
    case "FLOAT":
    case "FLOAT64":
      return typeof v === "number" ? v : Number(textOf(v));
    case "NUMERIC":
    case "BIGNUMERIC":
      return Number(String(v));
    case "BYTES":
      return v instanceof Uint8Array ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new TextEncoder().encode(textOf(v));
    case "RECORD":
    case "STRUCT":
      return json(v);
    default:
      return textOf(v);
  }
}

/** Convert one value of `field` (as the client returns it). */
export function bqValue(field: BqField, v: unknown): RowValue {
  if (v === null || v === undefined) return null;
  if (field.mode === "REPEATED") {
    if (!Array.isArray(v)) throw new KoanError("DATA_INVALID", `BigQuery column "${field.name}" is REPEATED but a value is not a list`);
    return v.filter((x) => x !== null && x !== undefined).map((x) => scalar(field, x));
  }
  return scalar(field, v);
}
