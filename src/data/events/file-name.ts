/**
 * TensorBoard's event file naming: `events.out.tfevents.<timestamp>.<hostname><suffix>`, the timestamp in whole
 * seconds padded to 10 digits (TensorFlow's `%010d`).
 * @module
 */
import { basename } from "node:path";
import { KoanError } from "../../core/errors.js";

/** The parts of an event file name. */
export interface EventFileNameParts {
  /** Seconds since the epoch (the fraction is dropped). */
  timestamp: number;
  hostname: string;
  /** Appended as is, e.g. `.v2` or `.1486.6519.v2` (default none). */
  suffix?: string;
}

/**
 * The name of an event file.
 * @example
 * ```ts
 * eventFileName({ timestamp: 1700000000, hostname: "ci" }); // "events.out.tfevents.1700000000.ci"
 * ```
 */
export function eventFileName(parts: EventFileNameParts): string {
  if (!(Number.isFinite(parts.timestamp) && parts.timestamp >= 0)) {
    throw new KoanError("USAGE", `event file timestamp must be a non-negative number of seconds, got ${parts.timestamp}`);
  }
  const text = `${parts.hostname}${parts.suffix ?? ""}`;
  if (text.includes("/") || text.includes("\\")) {
    throw new KoanError("USAGE", `event file hostname and suffix must not contain path separators: ${JSON.stringify(text)}`);
  }
  return `events.out.tfevents.${String(Math.floor(parts.timestamp)).padStart(10, "0")}.${text}`;
}

/** True when the base name of `path` is an event file name (TensorBoard reads files containing `tfevents`). */
export function isEventFileName(path: string): boolean {
  return basename(path).includes("tfevents");
}
