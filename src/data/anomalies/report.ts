/**
 * Collecting anomalies and measurements during one validation.
 * @module
 */
import type { DatasetStatistics } from "../stats/types.js";
import type { Schema } from "../schema/types.js";
import type { Anomaly, AnomalyCode, AnomalySeverity, DriftSkewMeasurement, ValidationOptions } from "./types.js";

/** Everything a check needs, plus where results go. */
export class ValidationContext {
  readonly anomalies: Anomaly[] = [];
  readonly measurements: DriftSkewMeasurement[] = [];

  constructor(
    readonly stats: DatasetStatistics,
    readonly schema: Schema,
    readonly options: ValidationOptions,
  ) {}

  /** Record an anomaly (severity ERROR unless overridden). */
  report(feature: string | null, code: AnomalyCode, shortDescription: string, description: string): void {
    const severity: AnomalySeverity = this.options.severityOverrides?.[code] ?? "ERROR";
    this.anomalies.push({ feature, code, severity, shortDescription, description });
  }
}
