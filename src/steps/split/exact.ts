/**
 * Exact shares from hash values: sort a group's values, and cut where each split's rounded share ends. A row
 * then goes to the first split whose threshold is above its value; rows with equal values (duplicates) always
 * land together.
 * @module
 */

/** Thresholds for `ratios` over the hash values of one group (sorted in place). */
export function exactThresholds(values: Float64Array, ratios: readonly number[]): number[] {
  values.sort();
  const n = values.length;
  const out: number[] = [];
  let acc = 0;
  for (let i = 0; i < ratios.length - 1; i++) {
    acc += ratios[i] as number;
    const c = Math.round(acc * n);
    out.push(c < n ? (values[c] as number) : Number.POSITIVE_INFINITY);
  }
  return out;
}

/** The split of value `u` given thresholds (one fewer than splits). */
export function pickByThresholds(splits: readonly string[], thresholds: readonly number[], u: number): string {
  for (let i = 0; i < thresholds.length; i++) if (u < (thresholds[i] as number)) return splits[i] as string;
  return splits[splits.length - 1] as string;
}
