/**
 * Slicing rows as TFMA does: a slice spec names one feature (a slice per value), several (crossed: a slice per
 * combination), and numeric features may be bucketed by boundaries. Rows missing a slicing feature are in no
 * slice of that spec; a multi-valued feature puts its row in one slice per value. Keys look like TFMA's:
 * `island:Biscoe`, `island_X_sex:Biscoe_X_MALE`, `mass:[3.5, 4.5)`.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { RowValue } from "../data/example/rows.js";
import type { FeatureKind } from "../data/example/types.js";
import type { SliceColumn, SliceSpec } from "./types.js";

/** The key of the whole split. */
export const OVERALL = "Overall";

/** A slice a row belongs to. */
export interface SliceKey {
  readonly key: string;
  readonly values: Readonly<Record<string, string>>;
}

/** Shortest decimal that reads back as the same float32 (features are float32). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  for (let p = 1; p <= 17; p++) {
    const s = Number(v.toPrecision(p));
    if (s === v || Math.fround(s) === v) return String(s);
  }
  return String(v);
}

function bucketLabel(v: number, boundaries: readonly number[]): string {
  let i = 0;
  while (i < boundaries.length && v >= (boundaries[i] as number)) i++;
  const lo = i === 0 ? "-inf" : formatValue(boundaries[i - 1] as number);
  const hi = i === boundaries.length ? "inf" : formatValue(boundaries[i] as number);
  return `[${lo}, ${hi})`;
}

/** Check slice specs against the dataset's features (a missing feature, or buckets of strings, is an error). */
export function checkSlices(specs: readonly SliceSpec[], features: Readonly<Record<string, FeatureKind>>): void {
  const known = Object.keys(features).join(", ") || "none";
  for (const spec of specs) {
    if (spec.length === 0) throw new KoanError("USAGE", "a slice spec names no feature");
    for (const c of spec) {
      const kind = features[c.feature];
      if (kind === undefined) throw new KoanError("USAGE", `slice feature "${c.feature}" is not a feature of the dataset`, { hint: `features: ${known}` });
      if (c.boundaries) {
        if (kind === "bytes") throw new KoanError("USAGE", `slice feature "${c.feature}" holds strings: it cannot be bucketed by boundaries`);
        for (let i = 1; i < c.boundaries.length; i++) {
          if (!((c.boundaries[i] as number) > (c.boundaries[i - 1] as number))) throw new KoanError("USAGE", `bucket boundaries of slice feature "${c.feature}" must increase`);
        }
      }
    }
  }
}

function columnValues(row: Readonly<Record<string, RowValue>>, c: SliceColumn): string[] {
  const v = row[c.feature];
  if (v === null || v === undefined) return [];
  const list = (Array.isArray(v) ? v : [v]) as unknown[];
  const out = new Set<string>();
  for (const x of list) {
    if (c.boundaries) out.add(bucketLabel(Number(x), c.boundaries));
    else if (typeof x === "number") out.add(formatValue(x));
    else if (x instanceof Uint8Array) out.add(Buffer.from(x).toString("utf8"));
    else out.add(String(x));
  }
  return [...out];
}

/** Name of a spec's columns, e.g. `island_X_sex`. */
export function specName(spec: SliceSpec): string {
  return spec.map((c) => c.feature).join("_X_");
}

/** The slices of `spec` a row belongs to. */
export function slicesOf(row: Readonly<Record<string, RowValue>>, spec: SliceSpec): SliceKey[] {
  let combos: string[][] = [[]];
  for (const c of spec) {
    const values = columnValues(row, c);
    if (values.length === 0) return [];
    combos = combos.flatMap((prefix) => values.map((v) => [...prefix, v]));
  }
  const name = specName(spec);
  return combos.map((vals) => ({ key: `${name}:${vals.join("_X_")}`, values: Object.fromEntries(spec.map((c, i) => [c.feature, vals[i] as string])) }));
}
