/**
 * Terminal output for the CLI: colour only on a TTY and never with NO_COLOR or `--json`; tables; error
 * printing with hints; exit codes.
 * @module
 */
import { KoanError, StepFailedError } from "../core/errors.js";

/** Exit codes: 0 success, 1 a failed run or check, 2 bad usage or input, 130 interrupted (Ctrl-C). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

const USAGE_CODES = new Set([
  "USAGE",
  "PARAM_UNKNOWN",
  "PARAM_INVALID",
  "PIPELINE_FILE_NOT_FOUND",
  "PIPELINE_FILE_INVALID",
  "PIPELINE_INVALID",
  "STEP_INVALID",
  "CONFIG_INVALID",
  "NOT_FOUND",
  "PROJECT_NOT_FOUND",
  "FLAVOR_UNKNOWN",
]);

/** Whether to use colour on a stream. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "") && process.env.TERM !== "dumb";
}

const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22], cyan: [36, 39] } as const;
/** Colour a string when colour is on. */
export function paint(style: keyof typeof codes, text: string, stream: NodeJS.WriteStream = process.stdout): string {
  if (!useColor(stream)) return text;
  const [a, b] = codes[style];
  return `\u001b[${a}m${text}\u001b[${b}m`;
}

/** Print rows as an aligned table. */
export function table(rows: readonly Record<string, string>[], columns: readonly string[]): string {
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [paint("bold", line(columns.map((c) => c.toUpperCase()))), ...rows.map((r) => line(columns.map((c) => r[c] ?? "")))].join("\n");
}

/** Print JSON to stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Format a duration. */
export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return "-";
  return n < 1000 ? `${Math.round(n)}ms` : n < 60_000 ? `${(n / 1000).toFixed(1)}s` : `${Math.floor(n / 60_000)}m${Math.round((n % 60_000) / 1000)}s`;
}

/** Print an error (with hint and, for step failures, the user's stack) and return the exit code it means. */
export function reportError(e: unknown, json: boolean): number {
  const code = e instanceof KoanError ? (USAGE_CODES.has(e.code) ? EXIT.usage : EXIT.failed) : EXIT.failed;
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: e instanceof KoanError ? e.toJSON() : { code: "INTERNAL", message: String(e) } })}\n`);
    return code;
  }
  const err = process.stderr;
  if (e instanceof KoanError) {
    err.write(`${paint("red", "error", err)} ${e.message}\n`);
    if (e instanceof StepFailedError && e.cause instanceof Error && e.cause.stack) err.write(`${paint("dim", indent(e.cause.stack), err)}\n`);
    if (e.hint) err.write(`${paint("yellow", "hint", err)}  ${e.hint}\n`);
  } else {
    err.write(`${paint("red", "internal error", err)} ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  return code;
}

function indent(s: string): string {
  return s.split("\n").map((l) => `    ${l}`).join("\n");
}
