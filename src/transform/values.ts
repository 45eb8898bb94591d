/**
 * Raw values as the transform sees them: one scalar per feature (`number`, `string`, or `null` when missing),
 * read the same way from an Example (training) and from a plain row (serving), so both paths give identical
 * results. Rules by the feature's kind: `float` → the float32 value (a row's number is rounded with
 * `Math.fround`; NaN counts as missing); `int64` → a number (integers only); `bytes` → a UTF-8 string. A list of
 * one value is that value; an empty list is missing; more values are an error (features are single-valued).
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Example, FeatureKind } from "../data/example/types.js";

/** A raw scalar: a number, a string, or null (missing). */
export type RawScalar = number | string | null;

/** A raw row as user-defined transforms receive it: the declared input features, normalised. */
export type RawRow = Readonly<Record<string, RawScalar>>;

const utf8 = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();

function multi(name: string, n: number): KoanError {
  return new KoanError("DATA_INVALID", `feature "${name}" has ${n} values; preprocessing handles single-valued features`, {
    hint: `leave it out with exclude: ["${name}"]`,
    details: { feature: name },
  });
}

/** The raw scalar of feature `name` (of kind `kind`) in an Example. */
export function exampleScalar(example: Example, name: string, kind: FeatureKind): RawScalar {
  const f = example.get(name);
  if (!f || f.values.length === 0) return null;
  if (f.values.length > 1) throw multi(name, f.values.length);
  if (f.kind !== kind) {
    throw new KoanError("DATA_INVALID", `feature "${name}" is ${f.kind}, but the transform expects ${kind}`, { details: { feature: name } });
  }
  switch (f.kind) {
    case "float": {
      const v = f.values[0] as number;
      return Number.isNaN(v) ? null : v;
    }
    case "int64":
      return Number(f.values[0]);
    case "bytes":
      return utf8.decode(f.values[0]);
  }
}

/** The raw scalar of a plain row's value for a feature of kind `kind` (see the module comment). */
export function rowScalar(value: unknown, name: string, kind: FeatureKind): RawScalar {
  let v = value;
  if (Array.isArray(v)) {
    if (v.length === 0) return null;
    if (v.length > 1) throw multi(name, v.length);
    v = v[0];
  }
  if (v === null || v === undefined) return null;
  const bad = (): never => {
    throw new KoanError("DATA_INVALID", `feature "${name}" (${kind}): cannot read ${typeof v} ${JSON.stringify(typeof v === "bigint" ? String(v) : v)}`, {
      details: { feature: name },
    });
  };
  switch (kind) {
    case "float": {
      const n = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? Number(v) : typeof v === "string" && v.trim() !== "" ? Number(v) : bad();
      return Number.isNaN(n) ? (typeof v === "string" ? bad() : null) : Math.fround(n);
    }
    case "int64": {
      const n = typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : typeof v === "boolean" ? Number(v) : typeof v === "string" && /^[-+]?\d+$/.test(v.trim()) ? Number(v) : bad();
      return Number.isInteger(n) ? n : bad();
    }
    case "bytes":
      if (typeof v === "string") return v;
      if (v instanceof Uint8Array) return utf8.decode(v);
      if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
      return bad();
  }
}

/** UTF-8 bytes of a string (shared encoder). */
export function utf8Bytes(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Text form of a raw scalar for categorical use (vocabularies, hashing, crosses); missing is "". */
export function categoryOf(v: RawScalar): string {
  return v === null ? "" : typeof v === "string" ? v : String(v);
}
