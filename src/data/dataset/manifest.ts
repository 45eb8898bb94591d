/**
 * The manifest of a Koan dataset (`dataset.json`, format version 1): named splits, each a list of TFRecord shards
 * of `tf.train.Example` with its row count, the feature kinds, and an optional `schema.pbtxt`.
 *
 * ```json
 * { "format": "koan.dataset", "version": 1, "compression": "gzip",
 *   "features": { "bill_length_mm": "float", "species": "bytes" },
 *   "splits": { "train": { "rows": 240, "shards": ["train/data-00000-of-00002.tfrecord.gz", "..."] } },
 *   "schema": "schema.pbtxt", "statistics": "statistics.json",
 *   "source": { "kind": "csv", "uri": "file:///data/penguins.csv" } }
 * ```
 *
 * `statistics` (optional, added later within version 1: older manifests lack it) names the statistics of every
 * split computed while the dataset was written, so that a `statistics` step needs no second pass.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { JsonValue } from "../../core/hash.js";
import type { FeatureKind } from "../example/types.js";

/** File name of the manifest inside a dataset folder. */
export const MANIFEST_FILE = "dataset.json";
export const DATASET_FORMAT_VERSION = 1;

/** One split: its shards (relative POSIX paths) and row count. */
export interface SplitManifest {
  readonly rows: number;
  readonly shards: readonly string[];
}

/** Version 1 of the manifest. */
export interface DatasetManifest {
  readonly format: "koan.dataset";
  readonly version: number;
  readonly compression: "gzip" | "none";
  /** Kind of every feature seen, sorted by name. */
  readonly features: { readonly [name: string]: FeatureKind };
  /** Splits in the order they were declared. */
  readonly splits: { readonly [name: string]: SplitManifest };
  /** Relative path of `schema.pbtxt`, if the dataset carries one. */
  readonly schema: string | null;
  /** Relative path of the statistics computed while writing (`statistics.json`), if any; absent in older manifests. */
  readonly statistics?: string | null;
  /** Where the data came from (kind, URI, fingerprint, query): plain data, never secrets. */
  readonly source: { readonly [key: string]: JsonValue } | null;
}

const SPLIT = /^[A-Za-z0-9_-]+$/;
const KINDS = new Set(["bytes", "float", "int64"]);

/** Check a split name (they become folder names). */
export function checkSplitName(name: string): string {
  if (!SPLIT.test(name)) throw new KoanError("DATA_INVALID", `split name ${JSON.stringify(name)} is invalid: use letters, digits, "_" and "-"`);
  return name;
}

function safeRelative(path: unknown): path is string {
  return typeof path === "string" && path.length > 0 && !path.startsWith("/") && !path.includes("\\") && !path.split("/").includes("..");
}

/** Parse and check a manifest's JSON text. */
export function parseManifest(text: string, where: string): DatasetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `${where}: not JSON: ${(e as Error).message}`);
  }
  const m = raw as DatasetManifest;
  const bad = (why: string): never => {
    throw new KoanError("FORMAT_INVALID", `${where}: ${why}`);
  };
  if (typeof m !== "object" || m === null || m.format !== "koan.dataset") bad('not a Koan dataset manifest (format is not "koan.dataset")');
  if (typeof m.version !== "number") bad("version is missing");
  if (m.version > DATASET_FORMAT_VERSION) {
    throw new KoanError("FORMAT_INVALID", `${where}: dataset format version ${m.version} is newer than this Koan reads (${DATASET_FORMAT_VERSION})`, { hint: "upgrade Koan" });
  }
  if (m.compression !== "gzip" && m.compression !== "none") bad(`compression "${String(m.compression)}" is not gzip or none`);
  for (const [name, kind] of Object.entries(m.features ?? bad("features are missing"))) if (!KINDS.has(kind)) bad(`feature "${name}" has unknown kind "${kind}"`);
  for (const [name, split] of Object.entries(m.splits ?? bad("splits are missing"))) {
    checkSplitName(name);
    if (!Number.isInteger(split.rows) || split.rows < 0) bad(`split "${name}": rows must be a whole number`);
    if (!Array.isArray(split.shards) || !split.shards.every(safeRelative)) bad(`split "${name}": shards must be relative paths inside the dataset`);
  }
  if (m.schema !== null && !safeRelative(m.schema)) bad("schema must be a relative path or null");
  if (m.statistics !== undefined && m.statistics !== null && !safeRelative(m.statistics)) bad("statistics must be a relative path or null");
  return m;
}
