/**
 * Evaluation artifacts for the Evaluation page: metrics overall and per slice (see src/compare/slices.ts for the
 * accepted shapes), blessing, a confusion matrix and a calibration curve when present:
 * `confusion: { labels: [...], matrix: [[...]] }` or `confusion: { actual: { predicted: count } }`;
 * `calibration: [{ predicted, observed, count }]`; `blessed: boolean`, `reasons: string[]`.
 * @module
 */
import { evaluationMetrics } from "../../compare/slices.js";
import type { EvaluationContent } from "../api-types.js";

function confusionOf(v: unknown): EvaluationContent["confusion"] {
  if (!v || typeof v !== "object") return null;
  const c = v as { labels?: unknown; matrix?: unknown };
  if (Array.isArray(c.labels) && Array.isArray(c.matrix)) return { labels: c.labels.map(String), matrix: (c.matrix as unknown[][]).map((r) => r.map(Number)) };
  // { actual: { predicted: count } }
  const nested = v as Record<string, Record<string, number>>;
  const labels = [...new Set(Object.entries(nested).flatMap(([k, row]) => [k, ...Object.keys(row ?? {})]))].sort();
  if (!labels.length) return null;
  return { labels, matrix: labels.map((actual) => labels.map((p) => Number(nested[actual]?.[p] ?? 0))) };
}

/** The evaluation page's view of a loaded evaluation value. */
export function normalizeEvaluation(value: unknown): EvaluationContent {
  const raw = (value ?? {}) as { format?: unknown; blessing?: { blessed?: unknown; reasons?: unknown }; splits?: { overall?: Record<string, unknown> }[] };
  // Koan's evaluator (format "koan.evaluation"): blessing and the first split's overall confusion and calibration.
  const koanFormat = raw.format === "koan.evaluation" ? raw.splits?.[0]?.overall : undefined;
  const v = (koanFormat
    ? { blessed: raw.blessing?.blessed, reasons: raw.blessing?.reasons, confusion: koanFormat.confusionMatrix, calibration: koanFormat.calibration }
    : value ?? {}) as { blessed?: unknown; reasons?: unknown; confusion?: unknown; confusionMatrix?: unknown; calibration?: unknown };
  const calibration = Array.isArray(v.calibration)
    ? (v.calibration as Record<string, unknown>[]).map((b) => ({ predicted: Number(b.predicted ?? b.meanPrediction ?? 0), observed: Number(b.observed ?? b.meanLabel ?? 0), count: Number(b.count ?? b.n ?? 0) }))
    : null;
  return {
    metrics: evaluationMetrics(value),
    blessed: typeof v.blessed === "boolean" ? v.blessed : null,
    reasons: Array.isArray(v.reasons) ? v.reasons.map(String) : [],
    confusion: confusionOf(v.confusion ?? v.confusionMatrix),
    calibration,
  };
}
