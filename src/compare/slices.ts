/**
 * Slice metrics from evaluation artifacts (artifacts whose `type` is `"evaluation"`). The evaluator (issue 5) is
 * not there yet, so this reads any of these shapes, and is the one place to adapt when it lands:
 *
 * - `{ overall: { accuracy: 0.9 }, slices: [{ slice: "island=Biscoe", metrics: { accuracy: 0.8 } }] }`
 * - `slice` may also be an object (`{ island: "Biscoe" }`), written `island=Biscoe` (keys sorted, joined by `,`);
 * - `metrics` may be called `values`; `overall` may be called `metrics`.
 * @module
 */
import type { JsonValue } from "../core/hash.js";

/** One metric value of an evaluation: overall (`slice` null) or for one slice. */
export interface SliceMetric {
  slice: string | null;
  name: string;
  value: number;
}

const isObject = (v: unknown): v is Record<string, JsonValue> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Name of a slice given as a string or as `{ feature: value }`. */
export function sliceName(slice: unknown): string | null {
  if (typeof slice === "string") return slice || null;
  if (isObject(slice)) {
    const parts = Object.entries(slice).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
    return parts.length ? parts.join(",") : null;
  }
  return null;
}

function numbers(v: unknown): [string, number][] {
  if (!isObject(v)) return [];
  return Object.entries(v).filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]));
}

/** The overall and per-slice metric values of an evaluation artifact's value ([] when it has none). */
export function evaluationMetrics(value: unknown): SliceMetric[] {
  if (!isObject(value)) return [];
  const out: SliceMetric[] = [];
  if (value.format === "koan.evaluation" && Array.isArray(value.splits)) {
    // Koan's evaluator: per split, overall metrics and slices; the split is part of the slice name after the first.
    value.splits.forEach((sp, i) => {
      if (!isObject(sp)) return;
      const prefix = i === 0 ? "" : `${String(sp.split)}:`;
      const overall = isObject(sp.overall) ? sp.overall : {};
      for (const [name, v] of numbers(overall.metrics)) out.push({ slice: prefix ? prefix.slice(0, -1) : null, name, value: v });
      for (const s of Array.isArray(sp.slices) ? sp.slices : []) {
        if (!isObject(s)) continue;
        for (const [name, v] of numbers(s.metrics)) out.push({ slice: `${prefix}${sliceName(s.slice)}`, name, value: v });
      }
    });
    return out;
  }
  for (const [name, v] of numbers(value.overall ?? value.metrics)) out.push({ slice: null, name, value: v });
  if (Array.isArray(value.slices)) {
    for (const s of value.slices) {
      if (!isObject(s)) continue;
      const slice = sliceName(s.slice);
      for (const [name, v] of numbers(s.metrics ?? s.values)) out.push({ slice, name, value: v });
    }
  }
  return out;
}
