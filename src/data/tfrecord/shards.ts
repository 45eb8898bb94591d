/**
 * Shard file names in TensorFlow's convention: `<prefix>-<index>-of-<count><suffix>` with index and count
 * zero-padded to five digits, e.g. `data-00003-of-00008.tfrecord.gz` (TFX writes `data_tfrecord-00000-of-00012.gz`).
 * @module
 */
import { KoanError } from "../../core/errors.js";

/** The parts of a shard file name. */
export interface ShardName {
  /** Everything before `-<index>-of-<count>`. */
  readonly prefix: string;
  /** 0-based shard index. */
  readonly index: number;
  /** Number of shards. */
  readonly count: number;
  /** Everything after the count, e.g. `.tfrecord.gz` (may be empty). */
  readonly suffix: string;
}

const SHARD_PATTERN = /^(.*)-(\d{5,})-of-(\d{5,})(.*)$/s;

/**
 * The name of shard `index` of `count`.
 * @example
 * ```ts
 * shardFileName("data", 3, 8, ".tfrecord.gz"); // "data-00003-of-00008.tfrecord.gz"
 * ```
 */
export function shardFileName(prefix: string, index: number, count: number, suffix = ""): string {
  if (!(Number.isInteger(count) && count >= 1)) {
    throw new KoanError("USAGE", `shard count must be a positive integer, got ${count}`);
  }
  if (!(Number.isInteger(index) && index >= 0 && index < count)) {
    throw new KoanError("USAGE", `shard index must be an integer in [0, ${count}), got ${index}`);
  }
  return `${prefix}-${pad(index)}-of-${pad(count)}${suffix}`;
}

/** The names of all `count` shards, in index order. */
export function shardFileNames(prefix: string, count: number, suffix = ""): string[] {
  return Array.from({ length: count }, (_, index) => shardFileName(prefix, index, count, suffix));
}

/**
 * Parses a shard file name (a base name, not a path); `undefined` when it does not follow the convention or the
 * index is not below the count.
 * @example
 * ```ts
 * parseShardFileName("data_tfrecord-00000-of-00012.gz");
 * // { prefix: "data_tfrecord", index: 0, count: 12, suffix: ".gz" }
 * ```
 */
export function parseShardFileName(name: string): ShardName | undefined {
  const match = SHARD_PATTERN.exec(name);
  if (match === null) return undefined;
  const index = Number(match[2]);
  const count = Number(match[3]);
  if (!(count >= 1 && index < count)) return undefined;
  return { prefix: match[1], index, count, suffix: match[4] };
}

function pad(n: number): string {
  return String(n).padStart(5, "0");
}
