/**
 * Timestamps for time splits: numbers as they are (`float`/`int64` columns), and ISO 8601 text for string
 * columns (`2014-01-31`, `2014-01-31T12:00`, `2014-01-31 12:00:00.5+02:00`; no offset means UTC, so every
 * machine reads the same instant whatever its time zone).
 * @module
 */
import { KoanError } from "../../core/errors.js";

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date or date-time (UTC unless it carries an offset), or NaN. */
export function parseTime(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return Number.NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return Number.NaN;
  let t = Date.UTC(Number(y), month - 1, day, Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), frac ? Math.round(Number(frac) * 1000) : 0);
  if (new Date(t).getUTCDate() !== day) return Number.NaN;
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0)) * 60_000;
  }
  return t;
}

/** A time from a parameter, for a column of `kind`. */
export function timeParam(value: number | string, kind: "float" | "int64" | "bytes", column: string): number {
  if (kind === "bytes") {
    const t = typeof value === "string" ? parseTime(value) : Number.NaN;
    if (Number.isNaN(t)) throw new KoanError("PARAM_INVALID", `time split on "${column}" (date strings): cut ${JSON.stringify(value)} is not an ISO 8601 date`, { hint: 'e.g. "2014-01-01" or "2014-01-01T12:00:00Z"' });
    return t;
  }
  if (typeof value !== "number") throw new KoanError("PARAM_INVALID", `time split on "${column}" (${kind}): cut ${JSON.stringify(value)} must be a number, like the column`);
  return value;
}
