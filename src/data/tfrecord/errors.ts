/**
 * Construction of the `FORMAT_INVALID` errors raised by the TFRecord, Example and event-file code.
 * @module
 */
import { KoanError } from "../../core/errors.js";

/** Where in which file a format problem was found. */
export interface FormatLocation {
  /** The file, as the caller named it. */
  file?: string;
  /** Byte offset of the record (in the uncompressed stream for gzip files). */
  offset?: number;
  /** 0-based index of the record in the file. */
  record?: number;
}

/**
 * A `FORMAT_INVALID` {@link KoanError}. The message is prefixed with `file: ` when a file is known, and the
 * location is kept in `details` for machine output.
 */
export function formatError(message: string, where: FormatLocation = {}, hint?: string, cause?: unknown): KoanError {
  const prefix = where.file === undefined ? "" : `${where.file}: `;
  const details: Record<string, unknown> = {};
  if (where.file !== undefined) details.file = where.file;
  if (where.offset !== undefined) details.offset = where.offset;
  if (where.record !== undefined) details.record = where.record;
  return new KoanError("FORMAT_INVALID", prefix + message, {
    details,
    ...(hint === undefined ? {} : { hint }),
    ...(cause === undefined ? {} : { cause }),
  });
}
