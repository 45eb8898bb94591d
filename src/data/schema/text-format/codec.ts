/**
 * Converting between text-format trees and plain objects, driven by {@link MessageSpecs}.
 *
 * Fields the specs do not know are kept, as trees, in the object's `unknownFields` and written back at the end
 * of their message, so schemas using parts of tensorflow_metadata that Koan does not model survive a round trip.
 * @module
 */
import { KoanError } from "../../../core/errors.js";
import type { TextField, TextMessage, TextScalar } from "./ast.js";
import type { FieldSpec, MessageSpecs } from "./spec.js";
import { formatDouble, formatFloat } from "./writer.js";

/** A plain object decoded from text. */
export type PlainMessage = Record<string, unknown>;

/**
 * Decode a text-format message of type `type`.
 * @throws KoanError `FORMAT_INVALID` for a wrong value kind, a repeated singular field, two members of a oneof,
 * or a missing required field.
 */
export function decodeMessage(msg: TextMessage, type: string, specs: MessageSpecs, file = "<text>"): PlainMessage {
  const fields = specs[type];
  if (!fields) throw new KoanError("INTERNAL", `no text-format spec for message ${type}`);
  const byText = new Map(fields.map((f) => [f.text, f]));
  const values = new Map<string, unknown>();
  const oneofs = new Map<string, string>();
  const unknown: TextField[] = [];
  for (const tf of msg.fields) {
    const spec = byText.get(tf.name);
    if (!spec) {
      unknown.push(tf);
      continue;
    }
    const where = `${file}:${tf.line ?? "?"}: field "${tf.name}" of ${type}`;
    if (spec.oneof) {
      const other = oneofs.get(spec.oneof);
      if (other !== undefined && other !== spec.text) fail(`${where} is set along with "${other}" (both in oneof ${spec.oneof})`);
      oneofs.set(spec.oneof, spec.text);
    }
    const value = decodeValue(tf.value, spec, specs, file, where);
    if (spec.repeated) {
      const list = (values.get(spec.key) as unknown[] | undefined) ?? [];
      list.push(value);
      values.set(spec.key, list);
    } else {
      if (values.has(spec.key)) fail(`${where} is given more than once`);
      values.set(spec.key, value);
    }
  }
  const out: PlainMessage = {};
  for (const spec of fields) {
    if (values.has(spec.key)) out[spec.key] = values.get(spec.key);
    else if (spec.always) out[spec.key] = [];
    else if (spec.required) fail(`${file}: a ${type} has no "${spec.text}"`);
  }
  if (unknown.length > 0) out.unknownFields = unknown;
  return out;
}

function decodeValue(v: TextScalar | TextMessage, spec: FieldSpec, specs: MessageSpecs, file: string, where: string): unknown {
  if (spec.kind === "message") {
    if (v.kind !== "message") fail(`${where} must be a message`);
    return decodeMessage(v as TextMessage, spec.message!, specs, file);
  }
  if (v.kind === "message") return fail(`${where} must be a scalar, not a message`);
  switch (spec.kind) {
    case "string":
      if (v.kind !== "string") fail(`${where} must be a string literal`);
      return v.value;
    case "int":
      return parseInteger(v, where);
    case "double":
      return parseReal(v, where);
    case "float":
      return Math.fround(parseReal(v, where));
    case "bool":
      return parseBool(v, where);
    case "enum":
      return parseEnum(v, spec, where);
  }
}

function parseInteger(v: TextScalar, where: string): number {
  if (v.kind !== "number" || !/^[-+]?(0[xX][0-9A-Fa-f]+|\d+)$/.test(v.value)) return fail(`${where} must be an integer, got ${v.value}`);
  const negative = v.value.startsWith("-");
  const magnitude = BigInt(v.value.replace(/^[-+]/, ""));
  const n = negative ? -magnitude : magnitude;
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) fail(`${where} is beyond ±2^53: ${v.value}`);
  return Number(n);
}

function parseReal(v: TextScalar, where: string): number {
  if (v.kind === "number") {
    const text = v.value.replace(/[fF]$/, "");
    const x = /^[-+]?0[xX]/.test(text) ? parseInteger({ kind: "number", value: text }, where) : Number(text);
    if (Number.isNaN(x)) fail(`${where} must be a number, got ${v.value}`);
    return x;
  }
  if (v.kind === "identifier") {
    const id = v.value.toLowerCase();
    if (id === "inf" || id === "infinity") return Number.POSITIVE_INFINITY;
    if (id === "-inf" || id === "-infinity") return Number.NEGATIVE_INFINITY;
    if (id === "nan" || id === "-nan") return Number.NaN;
  }
  return fail(`${where} must be a number, got ${v.kind === "string" ? "a string" : v.value}`);
}

function parseBool(v: TextScalar, where: string): boolean {
  if (["true", "True", "t", "1"].includes(v.value) && v.kind !== "string") return true;
  if (["false", "False", "f", "0"].includes(v.value) && v.kind !== "string") return false;
  return fail(`${where} must be true or false, got ${v.value}`);
}

function parseEnum(v: TextScalar, spec: FieldSpec, where: string): string {
  const values = spec.enumValues!;
  if (v.kind === "identifier" && Object.hasOwn(values, v.value)) return v.value;
  if (v.kind === "number" && /^\d+$/.test(v.value)) {
    const name = Object.keys(values).find((k) => values[k] === Number(v.value));
    if (name) return name;
  }
  return fail(`${where} must be one of ${Object.keys(values).join(", ")}, got ${v.value}`);
}

/**
 * Encode a plain object as a text-format message of type `type` (fields in field-number order, then unknown ones).
 * @throws KoanError `DATA_INVALID` naming the path of a property that is unknown or of the wrong type.
 */
export function encodeMessage(obj: PlainMessage, type: string, specs: MessageSpecs, path = "$"): TextMessage {
  const fields = specs[type];
  if (!fields) throw new KoanError("INTERNAL", `no text-format spec for message ${type}`);
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) invalid(path, `must be an object (${type})`);
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(obj)) {
    if (!known.has(key) && key !== "unknownFields" && obj[key] !== undefined) invalid(`${path}.${key}`, `is not a field of ${type}`);
  }
  const out: TextField[] = [];
  for (const spec of fields) {
    const value = obj[spec.key];
    if (value === undefined) {
      if (spec.required) invalid(`${path}.${spec.key}`, "is required");
      continue;
    }
    const p = `${path}.${spec.key}`;
    if (spec.repeated) {
      if (!Array.isArray(value)) invalid(p, "must be an array");
      (value as unknown[]).forEach((item, i) => out.push({ name: spec.text, value: encodeValue(item, spec, specs, `${p}[${i}]`) }));
    } else {
      out.push({ name: spec.text, value: encodeValue(value, spec, specs, p) });
    }
  }
  const unknown = obj.unknownFields;
  if (unknown !== undefined) {
    if (!Array.isArray(unknown)) invalid(`${path}.unknownFields`, "must be an array of text fields");
    out.push(...(unknown as TextField[]));
  }
  return { kind: "message", fields: out };
}

function encodeValue(v: unknown, spec: FieldSpec, specs: MessageSpecs, path: string): TextScalar | TextMessage {
  switch (spec.kind) {
    case "message":
      return encodeMessage(v as PlainMessage, spec.message!, specs, path);
    case "string":
      if (typeof v !== "string") invalid(path, "must be a string");
      return { kind: "string", value: v as string };
    case "int":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) invalid(path, "must be an integer");
      return { kind: "number", value: String(v) };
    case "double":
      if (typeof v !== "number") invalid(path, "must be a number");
      return { kind: "number", value: formatDouble(v as number) };
    case "float":
      if (typeof v !== "number") invalid(path, "must be a number");
      return { kind: "number", value: formatFloat(v as number) };
    case "bool":
      if (typeof v !== "boolean") invalid(path, "must be a boolean");
      return { kind: "identifier", value: v ? "true" : "false" };
    case "enum":
      if (typeof v !== "string" || !Object.hasOwn(spec.enumValues!, v)) {
        invalid(path, `must be one of ${Object.keys(spec.enumValues!).join(", ")}`);
      }
      return { kind: "identifier", value: v as string };
  }
}

function fail(message: string): never {
  throw new KoanError("FORMAT_INVALID", message);
}

function invalid(path: string, why: string): never {
  throw new KoanError("DATA_INVALID", `schema value at ${path} ${why}`, { details: { path } });
}
