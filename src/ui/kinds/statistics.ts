/**
 * Statistics artifacts for the Data page. Accepts TFDV's `DatasetFeatureStatisticsList` as plain data
 * (`{ datasets: [...] }`), an array of `DatasetFeatureStatistics`, one of them, or `{ splits: { name: stats } }`;
 * anomalies may ride along as `anomalies: [{ feature, severity, description }]`.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { DatasetStatistics } from "../../data/stats/types.js";
import type { StatisticsContent } from "../api-types.js";

const isStats = (v: unknown): v is DatasetStatistics => v !== null && typeof v === "object" && Array.isArray((v as DatasetStatistics).features);

/** Per-split statistics and anomalies of a loaded statistics value. @throws KoanError FORMAT_INVALID */
export function normalizeStatistics(value: unknown): StatisticsContent {
  const v = value as { datasets?: unknown; splits?: unknown; anomalies?: unknown } | null;
  let splits: DatasetStatistics[] = [];
  if (Array.isArray(value)) splits = value.filter(isStats);
  else if (v && Array.isArray(v.datasets)) splits = v.datasets.filter(isStats);
  else if (v && v.splits && typeof v.splits === "object") {
    splits = Object.entries(v.splits as Record<string, unknown>).filter((e): e is [string, DatasetStatistics] => isStats(e[1])).map(([name, s]) => ({ ...s, name: s.name || name }));
  } else if (isStats(value)) splits = [value];
  if (!splits.length) throw new KoanError("FORMAT_INVALID", "the statistics artifact holds no per-split statistics");
  const anomalies = Array.isArray(v?.anomalies)
    ? (v.anomalies as Record<string, unknown>[]).map((x) => ({ feature: String(x.feature ?? x.path ?? ""), severity: String(x.severity ?? "WARNING"), description: String(x.description ?? x.shortDescription ?? x.code ?? "") }))
    : [];
  return { splits, anomalies };
}

/** The anomalies artifact of the `validate` step (anomalies per split) as one list, split named in each line. */
export function flattenAnomalies(value: unknown): StatisticsContent["anomalies"] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new KoanError("FORMAT_INVALID", "the anomalies artifact is not an object of splits");
  return Object.entries(value as Record<string, unknown>).flatMap(([split, list]) =>
    (Array.isArray(list) ? (list as Record<string, unknown>[]) : []).map((x) => ({
      feature: String(x.feature ?? "(dataset)"),
      severity: String(x.severity ?? "WARNING"),
      description: `[${split}] ${String(x.shortDescription ?? x.code ?? "")}: ${String(x.description ?? "")}`,
    })),
  );
}
