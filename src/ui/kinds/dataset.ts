/** Dataset artifacts for the Data page: splits with row counts and feature kinds. @module */
import type { ArtifactRecord } from "../../stores/metadata/types.js";
import type { DatasetContent } from "../api-types.js";

interface DatasetLike {
  splits?: unknown;
  features?: unknown;
  rowCount?: (split?: string) => number;
}

/** Splits and features of a loaded dataset (a Dataset of the data issue, or a manifest-like object). */
export function normalizeDataset(value: unknown, a: ArtifactRecord): DatasetContent {
  const v = (value ?? {}) as DatasetLike;
  const meta = (a.meta ?? {}) as { splits?: Record<string, { rows?: number }> };
  let names: string[] = [];
  if (Array.isArray(v.splits)) names = v.splits.filter((s): s is string => typeof s === "string");
  else if (v.splits && typeof v.splits === "object") names = Object.keys(v.splits);
  else if (meta.splits) names = Object.keys(meta.splits);
  const rows = (name: string): number | null => {
    try {
      if (typeof v.rowCount === "function") return v.rowCount(name);
    } catch {
      /* fall through */
    }
    const fromValue = v.splits && typeof v.splits === "object" && !Array.isArray(v.splits) ? (v.splits as Record<string, { rows?: number }>)[name]?.rows : undefined;
    return fromValue ?? meta.splits?.[name]?.rows ?? null;
  };
  const features = v.features && typeof v.features === "object" ? Object.fromEntries(Object.entries(v.features as Record<string, unknown>).map(([k, x]) => [k, String(x)])) : {};
  return { splits: names.map((name) => ({ name, rows: rows(name) })), features };
}
