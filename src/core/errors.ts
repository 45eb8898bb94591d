/**
 * The one error family of Koan.
 *
 * Every error Koan raises is a {@link KoanError} with a stable `code` (safe to match on in scripts and tests),
 * a human message, and usually a `hint` saying what to do next. User-code failures are wrapped exactly once, at
 * the step boundary, as {@link StepFailedError}, keeping the original error as `cause` (with its stack).
 *
 * @example
 * ```ts
 * import { KoanError } from "koan";
 * try { await client.run(p); } catch (e) {
 *   if (e instanceof KoanError && e.code === "STEP_FAILED") console.error(e.hint);
 * }
 * ```
 * @module
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type KoanErrorCode =
  | "USAGE"
  | "CONFIG_INVALID"
  | "PROJECT_NOT_FOUND"
  | "PIPELINE_FILE_NOT_FOUND"
  | "PIPELINE_FILE_INVALID"
  | "PIPELINE_INVALID"
  | "STEP_INVALID"
  | "PARAM_UNKNOWN"
  | "PARAM_INVALID"
  | "OUTPUT_INVALID"
  | "STEP_FAILED"
  | "STEP_TIMEOUT"
  | "RUN_CANCELLED"
  | "ARTIFACT_NOT_FOUND"
  | "ARTIFACT_CORRUPT"
  | "MATERIALIZER_UNKNOWN"
  | "STORE_TOO_NEW"
  | "STORE_UNAVAILABLE"
  | "STORE_INVALID"
  | "FLAVOR_UNKNOWN"
  | "NOT_FOUND"
  | "ORCHESTRATOR_UNAVAILABLE"
  | "VERSION_MISMATCH"
  | "PIPELINE_CHANGED"
  | "FORMAT_INVALID"
  | "DATA_INVALID"
  | "INTERNAL";

/** Options accepted by every {@link KoanError}. */
export interface KoanErrorOptions {
  /** What the user can do about it, one sentence. */
  hint?: string;
  /** The error this one wraps; its stack is kept. */
  cause?: unknown;
  /** Structured facts (file, line, field, step, ...) for machine output. No secrets. */
  details?: Record<string, unknown>;
}

/** Base class of all errors Koan raises. Users never subclass it. */
export class KoanError extends Error {
  readonly code: KoanErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: KoanErrorCode, message: string, options: KoanErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KoanError";
    this.code = code;
    this.hint = options.hint;
    this.details = options.details ?? {};
  }

  /** Plain-data form for `--json` output and the metadata store. */
  toJSON(): { code: KoanErrorCode; message: string; hint?: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, ...(this.hint ? { hint: this.hint } : {}), details: this.details };
  }
}

/** A validation problem: plain data shared by the CLI, the API and the dashboard. */
export interface Issue {
  /** Machine-readable kind of problem, e.g. `invalid_type`. */
  code: string;
  /** Where: parameter path, column, field. */
  path: readonly (string | number)[];
  message: string;
}

/** A user step threw, returned bad outputs, or timed out. Raised once, at the step boundary. */
export class StepFailedError extends KoanError {
  readonly pipeline: string;
  readonly step: string;
  readonly runId: string;

  constructor(args: { pipeline: string; step: string; runId: string; cause: unknown; code?: KoanErrorCode; hint?: string }) {
    const causeMessage = args.cause instanceof Error ? args.cause.message : String(args.cause);
    super(
      args.code ?? "STEP_FAILED",
      `step "${args.step}" of pipeline "${args.pipeline}" failed (run ${args.runId}): ${causeMessage}`,
      {
        cause: args.cause,
        hint: args.hint ?? `see the step's logs with: koan runs show ${args.runId}`,
        details: { pipeline: args.pipeline, step: args.step, runId: args.runId },
      },
    );
    this.name = "StepFailedError";
    this.pipeline = args.pipeline;
    this.step = args.step;
    this.runId = args.runId;
  }
}

/** True when `e` is a KoanError with the given code. */
export function isKoanError(e: unknown, code?: KoanErrorCode): e is KoanError {
  return e instanceof KoanError && (code === undefined || e.code === code);
}

/** The message of any thrown value. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
