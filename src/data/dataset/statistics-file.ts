/**
 * `statistics.json` inside a dataset folder: the statistics of every split, computed while the dataset was
 * written (one pass over the data instead of two), with the options they were computed with.
 *
 * ```json
 * { "format": "koan.dataset.statistics", "version": 1, "options": { "numTopValues": 20, ... },
 *   "splits": [{ "name": "train", "numExamples": 240, "features": [...] }] }
 * ```
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { resolveStatsOptions, type ResolvedStatsOptions } from "../stats/options.js";
import type { DatasetStatistics } from "../stats/types.js";

/** File name of the statistics inside a dataset folder. */
export const STATISTICS_FILE = "statistics.json";
const FORMAT = "koan.dataset.statistics";
const VERSION = 1;

/** The parsed file. */
export interface StoredStatistics {
  readonly options: ResolvedStatsOptions;
  /** One entry per split, in split order. */
  readonly splits: readonly DatasetStatistics[];
}

/** The text of the file (JSON: non-finite numbers become null, as the `statistics` step's output). */
export function formatStoredStatistics(stats: StoredStatistics): string {
  return `${JSON.stringify({ format: FORMAT, version: VERSION, options: stats.options, splits: stats.splits })}\n`;
}

/**
 * Parse the file's text.
 * @throws KoanError `FORMAT_INVALID` naming `where` when it is not a statistics file this version reads.
 */
export function parseStoredStatistics(text: string, where: string): StoredStatistics {
  let raw: { format?: unknown; version?: unknown; options?: unknown; splits?: unknown };
  try {
    raw = JSON.parse(text) as typeof raw;
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `${where}: not JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || raw.format !== FORMAT) throw new KoanError("FORMAT_INVALID", `${where}: not a Koan dataset statistics file`);
  if (raw.version !== VERSION) throw new KoanError("FORMAT_INVALID", `${where}: statistics format version ${String(raw.version)} is not ${VERSION}`, { hint: "upgrade Koan" });
  if (!Array.isArray(raw.splits) || !raw.splits.every((s) => typeof s === "object" && s !== null && typeof (s as DatasetStatistics).name === "string" && Array.isArray((s as DatasetStatistics).features))) {
    throw new KoanError("FORMAT_INVALID", `${where}: splits must be a list of split statistics`);
  }
  let options: ResolvedStatsOptions;
  try {
    options = resolveStatsOptions(raw.options as object);
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `${where}: invalid options: ${(e as Error).message}`);
  }
  return { options, splits: raw.splits as DatasetStatistics[] };
}
