/**
 * Which way is better for a metric. The rule (documented in docs/compare.md): a metric is "lower is better" when
 * one of the words of its name is a loss, an error or a cost (`loss`, `error`, `err`, `mae`, `mse`, `rmse`, `mape`,
 * `smape`, `logloss`, `nll`, `perplexity`, `brier`, `ece`, `wer`, `cer`, `fpr`, `fnr`, `latency`, `duration`,
 * `time`, `seconds`, `ms`); every other metric is "higher is better". Words are split at non-letters and at
 * camelCase humps, so `val_loss`, `valLoss`, `eval/rmse` and `p95LatencyMs` are all lower-is-better.
 * @module
 */

/** `min`: lower is better; `max`: higher is better. */
export type MetricDirection = "min" | "max";

const LOWER = new Set([
  "loss", "error", "err", "errors", "mae", "mse", "rmse", "rmsle", "mape", "smape", "logloss", "nll", "perplexity",
  "brier", "ece", "wer", "cer", "fpr", "fnr", "latency", "duration", "time", "seconds", "ms", "misclassification",
]);

/** The words of a metric name: `p95LatencyMs` → `p95`, `latency`, `ms`. */
export function metricWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Whether lower or higher values of the metric are better (see the module doc for the rule). */
export function metricDirection(name: string): MetricDirection {
  return metricWords(name).some((w) => LOWER.has(w)) ? "min" : "max";
}

/** Indexes of the best values (ties all count); empty when fewer than two values are present. */
export function bestIndexes(values: readonly (number | null)[], direction: MetricDirection): number[] {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length < 2) return [];
  const best = direction === "min" ? Math.min(...present) : Math.max(...present);
  return values.flatMap((v, i) => (v === best ? [i] : []));
}
