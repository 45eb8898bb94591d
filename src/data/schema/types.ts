/**
 * A data schema as plain data, mirroring `tensorflow.metadata.v0.Schema` (proto field names in lowerCamelCase).
 *
 * Only `feature` and `stringDomain` are always present; every other field is optional, as in the proto2
 * original. A schema is meant to be edited by people ("pinned"): infer it once, review it, check it in as
 * `schema.pbtxt`, and validate new data against it.
 * @module
 */
import type { TextField } from "./text-format/ast.js";

/** `FeatureType`: the physical type of a feature's values. */
export type FeatureType = "TYPE_UNKNOWN" | "BYTES" | "INT" | "FLOAT" | "STRUCT";

/** `LifecycleStage`. PLANNED, ALPHA, DEPRECATED, DEBUG_ONLY and DISABLED features are not validated. */
export type LifecycleStage =
  | "UNKNOWN_STAGE"
  | "PLANNED"
  | "ALPHA"
  | "BETA"
  | "PRODUCTION"
  | "DEPRECATED"
  | "DEBUG_ONLY"
  | "DISABLED"
  | "VALIDATION_DERIVED";

/** Fields present in the text this message was parsed from that Koan does not model; written back verbatim. */
export interface UnknownFields {
  readonly unknownFields?: readonly TextField[];
}

/** `FeaturePresence`: how often the feature must be present. */
export interface FeaturePresence extends UnknownFields {
  /** Minimum fraction of examples that have the feature, in [0, 1]. */
  readonly minFraction?: number;
  /** Minimum number of examples that have the feature. */
  readonly minCount?: number;
}

/** `FeaturePresenceWithinGroup`. */
export interface FeaturePresenceWithinGroup extends UnknownFields {
  readonly required?: boolean;
}

/** `ValueCount`: bounds on the number of values per example where present. */
export interface ValueCount extends UnknownFields {
  readonly min?: number;
  readonly max?: number;
}

/** `ValueCountList`: one {@link ValueCount} per nesting level. */
export interface ValueCountList extends UnknownFields {
  readonly valueCount: readonly ValueCount[];
}

/** `FixedShape.Dim`. */
export interface FixedShapeDim extends UnknownFields {
  readonly size?: number;
  readonly name?: string;
}

/** `FixedShape`: a fixed number of values per example (the product of the sizes). */
export interface FixedShape extends UnknownFields {
  readonly dim: readonly FixedShapeDim[];
}

/** `StringDomain`: the allowed values of a categorical string feature. */
export interface StringDomain extends UnknownFields {
  /** Required for a schema-level domain (referenced by `Feature.domain`). */
  readonly name?: string;
  readonly value: readonly string[];
  readonly isCategorical?: "CATEGORICAL_UNSPECIFIED" | "CATEGORICAL_YES" | "CATEGORICAL_NO";
}

/** `IntDomain`: bounds of an INT feature (or of a BYTES feature holding decimal integers). */
export interface IntDomain extends UnknownFields {
  readonly name?: string;
  readonly min?: number;
  readonly max?: number;
  readonly isCategorical?: boolean;
}

/** `FloatDomain`: bounds of a FLOAT feature. */
export interface FloatDomain extends UnknownFields {
  readonly name?: string;
  readonly min?: number;
  readonly max?: number;
  readonly disallowNan?: boolean;
  readonly disallowInf?: boolean;
  readonly isEmbedding?: boolean;
  readonly isCategorical?: boolean;
  readonly embeddingDim?: number;
  readonly embeddingType?: string;
}

/** `BoolDomain`. */
export interface BoolDomain extends UnknownFields {
  readonly name?: string;
  readonly trueValue?: string;
  readonly falseValue?: string;
}

/** `StructDomain`: child features of a STRUCT feature. */
export interface StructDomain extends UnknownFields {
  readonly feature: readonly SchemaFeature[];
}

/** `TimeDomain`. */
export interface TimeDomain extends UnknownFields {
  readonly stringFormat?: string;
  readonly integerFormat?: "FORMAT_UNKNOWN" | "UNIX_DAYS" | "UNIX_SECONDS" | "UNIX_MILLISECONDS" | "UNIX_MICROSECONDS" | "UNIX_NANOSECONDS";
}

/** An empty semantic domain message (`URLDomain`, `MIDDomain`, ...). */
export type EmptyDomain = UnknownFields;

/** `ImageDomain`. */
export interface ImageDomain extends UnknownFields {
  readonly minimumSupportedImageFraction?: number;
  readonly maxImageByteSize?: number;
}

/** `NaturalLanguageDomain` (only the vocabulary name is modelled). */
export interface NaturalLanguageDomain extends UnknownFields {
  readonly vocabulary?: string;
}

/** `DistributionConstraints`. */
export interface DistributionConstraints extends UnknownFields {
  /** Minimum fraction of values that must come from the domain (default 1.0). */
  readonly minDomainMass?: number;
}

/** `HistogramSelection.Type`: which histogram Jensen-Shannon divergence uses (DEFAULT is STANDARD). */
export type HistogramSelectionType = "DEFAULT" | "QUANTILES" | "STANDARD";

/** A threshold on a distance. */
export interface Threshold extends UnknownFields {
  readonly threshold?: number;
}

/** `JensenShannonDivergence` comparator. */
export interface JensenShannonDivergenceComparator extends Threshold {
  readonly source?: { readonly type?: HistogramSelectionType } & UnknownFields;
}

/** `FeatureComparator`: thresholds for drift (previous span) or skew (serving data). */
export interface FeatureComparator extends UnknownFields {
  /** L-infinity distance between normalized value frequencies (categorical features). */
  readonly infinityNorm?: Threshold;
  /** Approximate Jensen-Shannon divergence (numeric histograms, or categorical frequencies). */
  readonly jensenShannonDivergence?: JensenShannonDivergenceComparator;
  /** max |count difference| / total count (categorical features). */
  readonly normalizedAbsDifference?: Threshold;
}

/** `UniqueConstraints`: bounds on the number of distinct values (string features). */
export interface UniqueConstraints extends UnknownFields {
  readonly min?: number;
  readonly max?: number;
}

/** `Annotation`. */
export interface Annotation extends UnknownFields {
  readonly tag?: readonly string[];
  readonly comment?: readonly string[];
}

/** `Feature`: what is expected of one feature. */
export interface SchemaFeature extends UnknownFields {
  readonly name: string;
  /** Deprecated flag of old schemas; prefer `lifecycleStage: "DEPRECATED"`. */
  readonly deprecated?: boolean;
  readonly presence?: FeaturePresence;
  readonly groupPresence?: FeaturePresenceWithinGroup;
  readonly shape?: FixedShape;
  readonly valueCount?: ValueCount;
  readonly valueCounts?: ValueCountList;
  readonly type?: FeatureType;
  /** Name of a schema-level {@link StringDomain}. */
  readonly domain?: string;
  readonly intDomain?: IntDomain;
  readonly floatDomain?: FloatDomain;
  readonly stringDomain?: StringDomain;
  readonly boolDomain?: BoolDomain;
  readonly structDomain?: StructDomain;
  readonly naturalLanguageDomain?: NaturalLanguageDomain;
  readonly imageDomain?: ImageDomain;
  readonly midDomain?: EmptyDomain;
  readonly urlDomain?: EmptyDomain;
  readonly timeDomain?: TimeDomain;
  readonly distributionConstraints?: DistributionConstraints;
  readonly annotation?: Annotation;
  readonly skewComparator?: FeatureComparator;
  readonly driftComparator?: FeatureComparator;
  readonly inEnvironment?: readonly string[];
  readonly notInEnvironment?: readonly string[];
  readonly lifecycleStage?: LifecycleStage;
  readonly uniqueConstraints?: UniqueConstraints;
}

/** `SparseFeature` (names only; Koan does not validate sparse features beyond name collisions). */
export interface SparseFeature extends UnknownFields {
  readonly name?: string;
  readonly deprecated?: boolean;
  readonly lifecycleStage?: LifecycleStage;
  readonly presence?: FeaturePresence;
  readonly denseShape?: FixedShape;
  readonly indexFeature?: readonly ({ readonly name?: string } & UnknownFields)[];
  readonly isSorted?: boolean;
  readonly valueFeature?: { readonly name?: string } & UnknownFields;
  readonly type?: FeatureType;
}

/** `Path`. */
export interface SchemaPath extends UnknownFields {
  readonly step: readonly string[];
}

/** `WeightedFeature`. */
export interface WeightedFeature extends UnknownFields {
  readonly name?: string;
  readonly feature?: SchemaPath;
  readonly weightFeature?: SchemaPath;
  readonly lifecycleStage?: LifecycleStage;
}

/** `NumericValueComparator`: bounds on current/previous ratios. */
export interface NumericValueComparator extends UnknownFields {
  readonly minFractionThreshold?: number;
  readonly maxFractionThreshold?: number;
}

/** `DatasetConstraints`. */
export interface DatasetConstraints extends UnknownFields {
  /** Bounds on numExamples relative to the previous span. */
  readonly numExamplesDriftComparator?: NumericValueComparator;
  /** Bounds on numExamples relative to the previous version of the same data. */
  readonly numExamplesVersionComparator?: NumericValueComparator;
  readonly minExamplesCount?: number;
  readonly maxExamplesCount?: number;
}

/** `Schema`. */
export interface Schema extends UnknownFields {
  readonly feature: readonly SchemaFeature[];
  readonly sparseFeature?: readonly SparseFeature[];
  readonly weightedFeature?: readonly WeightedFeature[];
  /** Schema-level string domains, referenced by `SchemaFeature.domain`. */
  readonly stringDomain: readonly StringDomain[];
  readonly floatDomain?: readonly FloatDomain[];
  readonly intDomain?: readonly IntDomain[];
  readonly defaultEnvironment?: readonly string[];
  readonly representVariableLengthAsRagged?: boolean;
  readonly annotation?: Annotation;
  readonly datasetConstraints?: DatasetConstraints;
}
