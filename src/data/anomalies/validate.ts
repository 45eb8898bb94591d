/**
 * Validating statistics against a schema (TFDV's `validate_statistics`), with optional drift and skew checks.
 * @module
 */
import { compareCodePoints, findFeatureStats } from "../stats/order.js";
import type { DatasetStatistics } from "../stats/types.js";
import { isFeatureDeprecated, isFeatureInEnvironment, isPresenceRequired } from "../schema/lookup.js";
import type { Schema } from "../schema/types.js";
import { checkDataset } from "./dataset-checks.js";
import { checkFeature } from "./feature-checks.js";
import { ValidationContext } from "./report.js";
import type { Anomaly, DriftSkewMeasurement, ValidationOptions } from "./types.js";

/** Anomalies and drift/skew measurements of one validation. */
export interface ValidationResult {
  /** Sorted: dataset-level first, then by feature name; within a feature, in check order. */
  readonly anomalies: readonly Anomaly[];
  /** Every drift/skew measurement made, whether or not above its threshold; sorted by feature. */
  readonly driftSkew: readonly DriftSkewMeasurement[];
}

/**
 * Validate statistics against a schema and return the anomalies (empty when the data conforms).
 *
 * Checks: missing required columns (SCHEMA_MISSING_COLUMN), columns not in the schema (SCHEMA_NEW_COLUMN), type
 * changes (UNEXPECTED_DATA_TYPE), presence and valency bounds, out-of-domain values, unique-count bounds, dataset
 * constraints, and, given `previous` / `serving` statistics, the drift / skew comparators of each feature
 * (L-infinity for categorical features, approximate Jensen-Shannon divergence for numeric ones).
 * @example
 * ```ts
 * const anomalies = validateStatistics(evalStats, schema, { serving: trainStats });
 * for (const a of anomalies) console.log(`${a.feature}: ${a.code} ${a.description}`);
 * ```
 */
export function validateStatistics(stats: DatasetStatistics, schema: Schema, options: ValidationOptions = {}): Anomaly[] {
  return [...validateStatisticsDetailed(stats, schema, options).anomalies];
}

/**
 * Like {@link validateStatistics}, also returning every drift/skew measurement (TFDV's `drift_skew_info`).
 * @example
 * const { driftSkew } = validateStatisticsDetailed(today, schema, { previous: yesterday });
 */
export function validateStatisticsDetailed(stats: DatasetStatistics, schema: Schema, options: ValidationOptions = {}): ValidationResult {
  const ctx = new ValidationContext(stats, schema, options);
  if (checkDataset(ctx)) {
    const names = new Set<string>();
    const features = [...schema.feature].sort((a, b) => compareCodePoints(a.name, b.name));
    for (const feature of features) {
      names.add(feature.name);
      if (isFeatureDeprecated(feature)) continue;
      const fs = findFeatureStats(stats, feature.name);
      if (fs) {
        checkFeature(ctx, feature, fs);
      } else if (isPresenceRequired(feature) && isFeatureInEnvironment(schema, feature, options.environment)) {
        ctx.report(feature.name, "SCHEMA_MISSING_COLUMN", "Column dropped", "Column is completely missing");
      }
    }
    for (const extra of [...(schema.sparseFeature ?? []), ...(schema.weightedFeature ?? [])]) {
      if (extra.name !== undefined) names.add(extra.name);
    }
    for (const fs of stats.features) {
      if (!names.has(fs.name)) ctx.report(fs.name, "SCHEMA_NEW_COLUMN", "New column", "New column (column in data but not in schema)");
    }
  }
  const order = (f: string | null): string => (f === null ? "" : `\u0000${f}`);
  const anomalies = ctx.anomalies
    .map((a, i) => ({ a, i }))
    .sort((x, y) => compareCodePoints(order(x.a.feature), order(y.a.feature)) || x.i - y.i)
    .map(({ a }) => a);
  const driftSkew = [...ctx.measurements].sort((x, y) => compareCodePoints(x.feature, y.feature));
  return { anomalies, driftSkew };
}
