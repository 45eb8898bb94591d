/**
 * Orderings and lookups shared by statistics, schema and anomalies, so that every output is deterministic.
 * @module
 */
import type { CommonStatistics, DatasetStatistics, FeatureStatistics } from "./types.js";

/**
 * Compare two strings by Unicode code point, which is also the byte order of their UTF-8 encodings (the order
 * TFDV's C++ maps use). Plain `<` compares UTF-16 code units and disagrees above U+FFFF.
 * @example
 * ["b", "a", "😀", "\uffff"].sort(compareCodePoints) // ["a", "b", "\uffff", "😀"]
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1; // a surrogate (code point > U+FFFF) sorts after any BMP unit
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** The common statistics of a feature, whichever kind of statistics it carries. */
export function commonStatsOf(feature: FeatureStatistics): CommonStatistics | undefined {
  return (
    feature.numStats?.commonStats ??
    feature.stringStats?.commonStats ??
    feature.bytesStats?.commonStats ??
    feature.structStats?.commonStats
  );
}

/** The statistics of the feature called `name`, or undefined. */
export function findFeatureStats(stats: DatasetStatistics, name: string): FeatureStatistics | undefined {
  return stats.features.find((f) => f.name === name);
}
