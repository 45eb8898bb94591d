/**
 * PostgreSQL values (text format) to Example values: integers and booleans → int64, floating point and numeric
 * → float, bytea → bytes as is, one-dimensional arrays of those → multi-valued features, everything else (text,
 * dates, timestamps, JSON, UUIDs, ...) → bytes holding PostgreSQL's text form. NULL → a present, empty feature.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { FeatureKind } from "../../data/example/types.js";
import type { RowValue } from "../../data/example/rows.js";

/** Type OIDs (from pg_type) Koan maps to int64 or float; scalar and array forms. */
const INT_OIDS = new Set([20, 21, 23, 26, 16]); // int8, int2, int4, oid, bool
const FLOAT_OIDS = new Set([700, 701, 1700]); // float4, float8, numeric
const BYTEA = 17;
/** Array type OID → element type OID. */
const ARRAYS = new Map<number, number>([
  [1005, 21], [1007, 23], [1016, 20], [1028, 26], [1000, 16], [1021, 700], [1022, 701], [1231, 1700], [1001, 17],
  [1009, 25], [1015, 1043], [1014, 1042], [2951, 2950], [1182, 1082], [1115, 1114], [1185, 1184], [199, 114], [3807, 3802],
]);

/** How one result column is converted. */
export interface PgColumn {
  readonly name: string;
  readonly kind: FeatureKind;
  readonly convert: (text: string) => RowValue;
}

function scalarKind(oid: number): FeatureKind {
  if (INT_OIDS.has(oid)) return "int64";
  if (FLOAT_OIDS.has(oid)) return "float";
  return "bytes";
}

function scalarConverter(oid: number, column: string): (text: string) => bigint | number | string | Uint8Array {
  if (oid === 16) return (t) => (t === "t" ? 1n : 0n);
  if (INT_OIDS.has(oid)) return (t) => BigInt(t);
  if (FLOAT_OIDS.has(oid)) return (t) => Number(t);
  if (oid === BYTEA) return (t) => parseBytea(t, column);
  return (t) => t;
}

/** Decode bytea's hex output format (`\x0aff…`). */
export function parseBytea(text: string, column: string): Uint8Array {
  if (!text.startsWith("\\x")) throw new KoanError("DATA_INVALID", `column "${column}": bytea value is not in hex format`, { hint: "SET bytea_output = 'hex'" });
  return new Uint8Array(Buffer.from(text.slice(2), "hex"));
}

/**
 * The converter of a column of type `oid`. `parseArray` splits a one-dimensional array literal into its element
 * texts (null for NULL): pg's own string-array parser.
 */
export function pgColumn(name: string, oid: number, parseArray: (text: string) => unknown): PgColumn {
  const element = ARRAYS.get(oid);
  if (element === undefined) {
    const convert = scalarConverter(oid, name);
    return { name, kind: scalarKind(oid), convert };
  }
  const convert = scalarConverter(element, name);
  return {
    name,
    kind: scalarKind(element),
    convert: (text) => {
      const items = parseArray(text);
      if (!Array.isArray(items) || items.some((x) => Array.isArray(x))) {
        throw new KoanError("DATA_INVALID", `column "${name}": only one-dimensional arrays can be stored in a feature`, { details: { column: name } });
      }
      if (items.some((x) => x === null)) {
        throw new KoanError("DATA_INVALID", `column "${name}": an array holds NULL, which a feature's value list cannot`, { hint: "filter NULLs out in the query, e.g. array_remove(col, NULL)", details: { column: name } });
      }
      return (items as string[]).map(convert);
    },
  };
}
