/** Formatting of durations, times, sizes, numbers, ids and values. */
import type { JsonValue } from "../../src/ui/api-types.js";

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} m ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} m`;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function num(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

export function value(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return "–";
  if (typeof v === "number") return num(v);
  return typeof v === "string" ? v : JSON.stringify(v);
}

export function shortHash(h: string): string {
  return /^[0-9a-f]{64}$/.test(h) ? h.slice(0, 12) : h;
}

/** The distinguishing tail of an id like `r-0mwy7l3m4-696264d8c007`. */
export function shortId(id: string): string {
  return id.length > 14 ? id.slice(-12) : id;
}
