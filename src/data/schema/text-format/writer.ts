/**
 * Writer of protobuf text format in the layout of Python's `text_format.MessageToString` (used by TFDV's
 * `write_schema_text`): two-space indentation, `name {` blocks, C-escaped strings with non-ASCII bytes in octal,
 * floating point numbers in Python `repr` style.
 * @module
 */
import type { TextField, TextMessage, TextScalar } from "./ast.js";

/**
 * Format a text-format message (fields in the given order).
 * @example
 * formatTextFormat({ kind: "message", fields: [{ name: "name", value: { kind: "string", value: "a" } }] })
 * // 'name: "a"\n'
 */
export function formatTextFormat(message: TextMessage): string {
  const lines: string[] = [];
  writeFields(message.fields, "", lines);
  return lines.map((l) => `${l}\n`).join("");
}

function writeFields(fields: readonly TextField[], indent: string, lines: string[]): void {
  for (const f of fields) {
    if (f.value.kind === "message") {
      lines.push(`${indent}${f.name} {`);
      writeFields(f.value.fields, `${indent}  `, lines);
      lines.push(`${indent}}`);
    } else {
      lines.push(`${indent}${f.name}: ${formatScalar(f.value)}`);
    }
  }
}

/** The text of one scalar. */
export function formatScalar(s: TextScalar): string {
  return s.kind === "string" ? quoteString(s.value) : s.value;
}

/** A double-quoted, C-escaped string literal; bytes outside printable ASCII are written as 3-digit octal. */
export function quoteString(value: string): string {
  let out = '"';
  for (const b of Buffer.from(value, "utf8")) {
    if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x22) out += '\\"';
    else if (b === 0x27) out += "\\'";
    else if (b === 0x5c) out += "\\\\";
    else if (b < 0x20 || b >= 0x7f) out += `\\${b.toString(8).padStart(3, "0")}`;
    else out += String.fromCharCode(b);
  }
  return `${out}"`;
}

/**
 * A double in Python `repr` style: shortest round-trip digits, `.0` on integral values, exponent form (`1e-05`,
 * `1e+16`) below 1e-4 or from 1e16; `inf`, `-inf`, `nan`.
 * @example
 * formatDouble(1) // "1.0"
 * formatDouble(0.00001) // "1e-05"
 */
export function formatDouble(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Number.POSITIVE_INFINITY) return "inf";
  if (x === Number.NEGATIVE_INFINITY) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, expText] = x.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp >= -4 && exp < 16) {
    let text: string;
    if (exp < 0) text = `0.${"0".repeat(-exp - 1)}${digits}`;
    else if (digits.length <= exp + 1) text = `${digits}${"0".repeat(exp + 1 - digits.length)}.0`;
    else text = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return sign + text;
  }
  const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const e = `${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return `${sign}${m}e${e}`;
}

/** A float32 value with the fewest digits that read back to the same float32, in Python `repr` style. */
export function formatFloat(x: number): string {
  if (!Number.isFinite(x)) return formatDouble(x);
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const v = Number(f.toPrecision(p));
    if (Math.fround(v) === f) return formatDouble(v);
  }
  return formatDouble(f);
}
