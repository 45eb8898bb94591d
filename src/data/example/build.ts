/**
 * Constructors of features from plain JavaScript values, with the conversion rules shared by
 * `exampleFromRow`: floats are rounded to float32, int64s must be integers in the signed 64-bit range,
 * strings become UTF-8 bytes. Violations are `DATA_INVALID` KoanErrors.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { BytesFeature, Feature, FeatureKind, FloatFeature, Int64Feature } from "./types.js";

/** A value {@link featureOf} accepts for one list element. */
export type FeatureScalar = number | bigint | string | Uint8Array;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

/**
 * A `bytes_list` feature; strings are encoded as UTF-8.
 * @example
 * ```ts
 * bytesFeature(["cat", new Uint8Array([0xff])]);
 * ```
 */
export function bytesFeature(values: readonly (string | Uint8Array)[], name = "value"): BytesFeature {
  return featureOf("bytes", values, name) as BytesFeature;
}

/** A `float_list` feature (values rounded to float32). */
export function floatFeature(values: readonly number[], name = "value"): FloatFeature {
  return featureOf("float", values, name) as FloatFeature;
}

/**
 * An `int64_list` feature from bigints or integer numbers.
 * @example
 * ```ts
 * int64Feature([1, -1n, 2n ** 62n]);
 * ```
 */
export function int64Feature(values: readonly (number | bigint)[], name = "value"): Int64Feature {
  return featureOf("int64", values, name) as Int64Feature;
}

/**
 * A feature of `kind` from `values` (`name` is only used in error messages). Accepted: `float` ← numbers;
 * `int64` ← bigints and integer numbers, within [-2^63, 2^63 - 1]; `bytes` ← strings (UTF-8) and Uint8Arrays
 * (kept by reference).
 */
export function featureOf(kind: FeatureKind, values: readonly FeatureScalar[], name: string): Feature {
  switch (kind) {
    case "float": {
      const out = new Float32Array(values.length);
      values.forEach((v, i) => {
        if (typeof v !== "number") throw invalidValue(name, kind, v);
        out[i] = v;
      });
      return { kind, values: out };
    }
    case "int64": {
      const out = new BigInt64Array(values.length);
      values.forEach((v, i) => {
        out[i] = toInt64(v, name);
      });
      return { kind, values: out };
    }
    case "bytes":
      return {
        kind,
        values: values.map((v) => {
          if (typeof v === "string") return utf8.encode(v);
          if (v instanceof Uint8Array) return v;
          throw invalidValue(name, kind, v);
        }),
      };
    default:
      throw new KoanError("DATA_INVALID", `feature "${name}": unknown kind ${JSON.stringify(kind)}`, {
        details: { feature: name },
      });
  }
}

function toInt64(v: FeatureScalar, name: string): bigint {
  let big: bigint;
  if (typeof v === "bigint") big = v;
  else if (typeof v === "number" && Number.isInteger(v)) big = BigInt(v);
  else throw invalidValue(name, "int64", v);
  if (big < INT64_MIN || big > INT64_MAX) {
    throw new KoanError("DATA_INVALID", `feature "${name}": ${big} is outside the int64 range`, { details: { feature: name } });
  }
  return big;
}

function invalidValue(name: string, kind: FeatureKind, v: unknown): KoanError {
  const shown = typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? `Uint8Array(${v.length})` : JSON.stringify(v);
  return new KoanError("DATA_INVALID", `feature "${name}": cannot store ${typeof v} ${shown} in a ${kind} feature`, {
    details: { feature: name, kind },
    hint:
      kind === "float"
        ? "float features take numbers"
        : kind === "int64"
          ? "int64 features take bigints or integer numbers"
          : "bytes features take strings or Uint8Arrays",
  });
}
