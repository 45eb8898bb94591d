/**
 * Tensors on the wire: datatypes, element checks and coercion, and row-major flattening of nested `data`
 * checked against a shape. Used by every protocol front end (V2 REST and gRPC, TF Serving, Vertex AI).
 * @module
 */
import type { Datatype, FeatureValue, WireDatatype } from "./model.js";
import { badRequest } from "./request-error.js";

const WIRE = new Set<string>(["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"]);
const INT_RANGE: Record<string, [number, number]> = {
  INT8: [-128, 127],
  INT16: [-32768, 32767],
  INT32: [-2147483648, 2147483647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
  UINT16: [0, 65535],
  UINT32: [0, 4294967295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** True for a datatype name of the protocol. */
export function isWireDatatype(d: unknown): d is WireDatatype {
  return typeof d === "string" && WIRE.has(d);
}

/** Numeric datatypes (coercible into each other when values fit). */
export function isNumeric(d: string): boolean {
  return d !== "BOOL" && d !== "BYTES";
}

/** Whether a request datatype can feed an input of the signature's datatype. */
export function compatible(wire: string, target: Datatype): boolean {
  if (target === "BOOL" || target === "BYTES") return wire === target;
  return isNumeric(wire);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Bytes as a UTF-8 string when they are valid UTF-8, else the bytes themselves. */
export function bytesValue(b: Uint8Array): string | Uint8Array {
  try {
    return utf8.decode(b);
  } catch {
    return b;
  }
}

/**
 * Check one element against the request's datatype and convert it for an input of the signature's datatype.
 * Throws a 400 naming the input and the element index.
 */
export function coerceElement(v: unknown, wire: string, target: Datatype, input: string, index: number): FeatureValue {
  const fail = (what: string): never => {
    throw badRequest(`input "${input}": element ${index} ${what}`);
  };
  if (wire === "BOOL") {
    if (typeof v !== "boolean") fail(`must be true or false for datatype BOOL, got ${describe(v)}`);
    return v as boolean;
  }
  if (wire === "BYTES") {
    if (typeof v === "string") return v;
    if (v instanceof Uint8Array) return v;
    return fail(`must be a string for datatype BYTES, got ${describe(v)}`);
  }
  let n: number;
  if (typeof v === "number") n = v;
  else if (typeof v === "bigint") n = Number(v);
  else return fail(`must be a number for datatype ${wire}, got ${describe(v)}`);
  const range = INT_RANGE[wire];
  if (range) {
    if (!Number.isInteger(n)) fail(`must be an integer for datatype ${wire}, got ${n}`);
    if (n < range[0] || n > range[1]) fail(`is out of range for datatype ${wire}: ${n}`);
  }
  if (target === "INT32" || target === "INT64") {
    if (!Number.isInteger(n)) fail(`must be an integer for the model's ${target} input, got ${n}`);
    const r = INT_RANGE[target] as [number, number];
    if (n < r[0] || n > r[1]) fail(`is out of range for the model's ${target} input: ${n}`);
  }
  return n;
}

/** Product of a shape's dimensions; a 400 when a dimension is not a whole number ≥ 0 or the product is huge. */
export function elementCount(shape: readonly unknown[], input: string): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) throw badRequest(`input "${input}": shape ${JSON.stringify(shape)} must hold whole numbers ≥ 0`);
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw badRequest(`input "${input}": shape ${JSON.stringify(shape)} is too large`);
  return n;
}

/**
 * Row-major elements of `data`, flat or nested. Nested data must follow `shape` exactly; flat data must hold
 * exactly as many elements as the shape. Throws a 400 naming the input.
 */
export function flattenData(data: unknown, shape: readonly number[], input: string): unknown[] {
  if (!Array.isArray(data)) throw badRequest(`input "${input}": data must be a list`);
  const count = elementCount(shape, input);
  let nested = false;
  for (const x of data) {
    if (Array.isArray(x)) {
      nested = true;
      break;
    }
  }
  if (!nested) {
    if (data.length !== count) throw badRequest(`input "${input}": data holds ${data.length} elements but shape ${JSON.stringify(shape)} needs ${count}`);
    return data;
  }
  const out: unknown[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node)) throw badRequest(`input "${input}": data is nested deeper than shape ${JSON.stringify(shape)}`);
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw badRequest(`input "${input}": nested data does not match shape ${JSON.stringify(shape)} at dimension ${depth}`);
    }
    for (const x of node) walk(x, depth + 1);
  };
  walk(data, 0);
  return out;
}

/** Nest a flat row-major list into `dims` (the last dimension innermost); `[]` dims gives the single element. */
export function nest(flat: readonly unknown[], start: number, dims: readonly number[]): FeatureValue {
  if (dims.length === 0) return flat[start] as FeatureValue;
  if (dims.length === 1) return flat.slice(start, start + (dims[0] as number)) as FeatureValue;
  const inner = dims.slice(1).reduce((a, b) => a * b, 1);
  const out: FeatureValue[] = [];
  for (let i = 0; i < (dims[0] as number); i++) out.push(nest(flat, start + i * inner, dims.slice(1)));
  return out;
}

/** A short description of a value's JSON type, for messages. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "string") return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
