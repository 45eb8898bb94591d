/**
 * Anomalies as plain data: one entry per problem found when validating statistics against a schema.
 * @module
 */
import type { DatasetStatistics } from "../stats/types.js";

/**
 * Anomaly codes: the names of TFDV's `AnomalyInfo.Type` for the checks Koan performs.
 */
export type AnomalyCode =
  | "SCHEMA_MISSING_COLUMN"
  | "SCHEMA_NEW_COLUMN"
  | "UNEXPECTED_DATA_TYPE"
  | "FEATURE_TYPE_NOT_PRESENT"
  | "FEATURE_TYPE_LOW_FRACTION_PRESENT"
  | "FEATURE_TYPE_LOW_NUMBER_PRESENT"
  | "FEATURE_TYPE_LOW_NUMBER_VALUES"
  | "FEATURE_TYPE_HIGH_NUMBER_VALUES"
  | "INVALID_FEATURE_SHAPE"
  | "VALUE_NESTEDNESS_MISMATCH"
  | "FEATURE_TYPE_LOW_UNIQUE"
  | "FEATURE_TYPE_HIGH_UNIQUE"
  | "FEATURE_TYPE_NO_UNIQUE"
  | "ENUM_TYPE_UNEXPECTED_STRING_VALUES"
  | "ENUM_TYPE_INVALID_UTF8"
  | "INT_TYPE_SMALL_INT"
  | "INT_TYPE_BIG_INT"
  | "INT_TYPE_NOT_INT_STRING"
  | "FLOAT_TYPE_SMALL_FLOAT"
  | "FLOAT_TYPE_BIG_FLOAT"
  | "FLOAT_TYPE_STRING_NOT_FLOAT"
  | "FLOAT_TYPE_HAS_NAN"
  | "FLOAT_TYPE_HAS_INF"
  | "DOMAIN_INVALID_FOR_TYPE"
  | "FEATURE_MISSING_TYPE"
  | "INVALID_SCHEMA_SPECIFICATION"
  | "INVALID_DOMAIN_SPECIFICATION"
  | "COMPARATOR_CONTROL_DATA_MISSING"
  | "COMPARATOR_L_INFTY_HIGH"
  | "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH"
  | "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH"
  | "COMPARATOR_LOW_NUM_EXAMPLES"
  | "COMPARATOR_HIGH_NUM_EXAMPLES"
  | "DATASET_LOW_NUM_EXAMPLES"
  | "DATASET_HIGH_NUM_EXAMPLES"
  | "NO_DATA_IN_SPAN";

/** `AnomalyInfo.Severity` (TFDV reports every anomaly as ERROR unless overridden). */
export type AnomalySeverity = "ERROR" | "WARNING";

/** One anomaly. */
export interface Anomaly {
  /** The feature concerned, or null for dataset-level anomalies. */
  readonly feature: string | null;
  readonly code: AnomalyCode;
  readonly severity: AnomalySeverity;
  /** Short form for user interfaces (TFDV's `short_description`). */
  readonly shortDescription: string;
  readonly description: string;
}

/** Kind of comparison: drift (current vs previous span) or skew (training vs serving). */
export type Comparison = "drift" | "skew";

/** `DriftSkewInfo.Measurement.Type`. */
export type MeasurementType = "L_INFTY" | "JENSEN_SHANNON_DIVERGENCE" | "NORMALIZED_ABSOLUTE_DIFFERENCE";

/** One drift or skew measurement, reported whether or not it exceeds its threshold. */
export interface DriftSkewMeasurement {
  readonly feature: string;
  readonly comparison: Comparison;
  readonly type: MeasurementType;
  readonly value: number;
  readonly threshold: number;
}

/** Options of {@link validateStatistics}. */
export interface ValidationOptions {
  /** Statistics of the previous span, for drift comparators and `numExamplesDriftComparator`. */
  previous?: DatasetStatistics;
  /** Statistics of serving data (or of another split), for skew comparators. */
  serving?: DatasetStatistics;
  /** Statistics of the previous version of the same data, for `numExamplesVersionComparator`. */
  previousVersion?: DatasetStatistics;
  /** Environment of the data (e.g. "SERVING"), for `inEnvironment` / `notInEnvironment` / `defaultEnvironment`. */
  environment?: string;
  /** Severity per code, overriding the default ERROR. */
  severityOverrides?: Partial<Record<AnomalyCode, AnomalySeverity>>;
}
