/**
 * Schema inference from statistics, following TFDV's `infer_schema` (C++ `Schema::Updater::CreateColumn`).
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { commonStatsOf, compareCodePoints } from "../stats/order.js";
import type { DatasetStatistics, FeatureStatistics, StatsFeatureType } from "../stats/types.js";
import { INVALID_UTF8_LABEL } from "../stats/finish.js";
import type { FeatureType, Schema, SchemaFeature, StringDomain } from "./types.js";

/** Options of {@link inferSchema}. */
export interface InferSchemaOptions {
  /**
   * A string feature gets a string domain (a categorical vocabulary) when it has at most this many distinct
   * values (TFDV's `max_string_domain_size`, default 100). 0 disables string domains.
   */
  maxStringDomainSize?: number;
  /**
   * Additionally require `unique / totNumValues <= maxStringDomainUniqueRatio` for a string domain, so that
   * identifier-like columns of a small dataset do not become vocabularies. Default 1 (no extra condition, as TFDV).
   */
  maxStringDomainUniqueRatio?: number;
  /**
   * Infer `shape { dim { size: n } }` instead of `value_count` for features present in every example with the same
   * number n of values (TFDV's `infer_feature_shape`, default false).
   */
  inferFeatureShape?: boolean;
  /** Give INT features an `int_domain { min max }` from the observed range (default false; TFDV sets none). */
  inferIntDomains?: boolean;
  /**
   * A pinned schema to start from: its features, domains and settings are kept as they are, and only features
   * of the statistics it does not have are inferred and appended.
   */
  base?: Schema;
}

/**
 * Infer a schema from statistics: per feature its type, presence (`min_count: 1` when present at all,
 * `min_fraction: 1.0` when never missing), valency (`value_count` when always non-empty) and, for string
 * features with few distinct values, a schema-level string domain named after the feature (values sorted).
 * String features whose values all parse as integers get an empty `int_domain` instead, as TFDV does.
 * @example
 * const schema = inferSchema(trainStats);
 * await writeFile("schema.pbtxt", formatSchemaText(schema));
 */
export function inferSchema(stats: DatasetStatistics, options: InferSchemaOptions = {}): Schema {
  const maxDomain = options.maxStringDomainSize ?? 100;
  const maxRatio = options.maxStringDomainUniqueRatio ?? 1;
  if (!Number.isInteger(maxDomain) || maxDomain < 0) throw new KoanError("DATA_INVALID", "maxStringDomainSize must be a non-negative integer");
  if (!(maxRatio >= 0 && maxRatio <= 1)) throw new KoanError("DATA_INVALID", "maxStringDomainUniqueRatio must be in [0, 1]");
  const base = options.base;
  const features: SchemaFeature[] = [...(base?.feature ?? [])];
  const domains: StringDomain[] = [...(base?.stringDomain ?? [])];
  const known = new Set(features.map((f) => f.name));
  const sorted = [...stats.features].sort((a, b) => compareCodePoints(a.name, b.name));
  for (const fs of sorted) {
    if (known.has(fs.name)) continue;
    known.add(fs.name);
    const feature = inferFeature(fs, stats.numExamples, options);
    const domainValues = stringDomainCandidate(fs, maxDomain, maxRatio);
    if (domainValues && !feature.intDomain) {
      const name = uniqueDomainName(fs.name, domains);
      domains.push({ name, value: domainValues });
      features.push({ ...feature, domain: name });
    } else {
      features.push(feature);
    }
  }
  return { ...(base ?? {}), feature: features, stringDomain: domains };
}

function inferFeature(fs: FeatureStatistics, numExamples: number, options: InferSchemaOptions): SchemaFeature {
  const common = commonStatsOf(fs);
  const numPresent = common?.numNonMissing ?? 0;
  const out: { -readonly [K in keyof SchemaFeature]: SchemaFeature[K] } = { name: fs.name, type: schemaType(fs.type) };
  if (numPresent > 0 && common) {
    const required = numPresent >= numExamples;
    out.presence = required ? { minFraction: 1, minCount: 1 } : { minCount: 1 };
    const { minNumValues: lo, maxNumValues: hi } = common;
    if (lo > 0) {
      if (options.inferFeatureShape && required && lo === hi) out.shape = { dim: [{ size: lo }] };
      else out.valueCount = lo === hi ? { min: lo, max: hi } : { min: 1 };
    }
  } else {
    out.presence = { minCount: 0 };
  }
  if (fs.stringStats && fs.type !== "INT" && isIntegerVocabulary(fs)) out.intDomain = {};
  if (options.inferIntDomains && fs.type === "INT" && fs.numStats && fs.numStats.commonStats.totNumValues > 0) {
    out.intDomain = { min: fs.numStats.min, max: fs.numStats.max };
  }
  return reorder(out);
}

/** Keys in schema field order, so that objects print the same whatever the construction order. */
function reorder(f: SchemaFeature): SchemaFeature {
  const { name, valueCount, shape, type, presence, intDomain } = f;
  return {
    name,
    ...(valueCount ? { valueCount } : {}),
    ...(type ? { type } : {}),
    ...(intDomain ? { intDomain } : {}),
    ...(presence ? { presence } : {}),
    ...(shape ? { shape } : {}),
  };
}

function schemaType(t: StatsFeatureType): FeatureType {
  return t === "STRING" ? "BYTES" : t;
}

function labels(fs: FeatureStatistics): string[] {
  const s = fs.stringStats;
  if (!s) return [];
  const src = s.rankHistogram?.buckets.map((b) => b.label) ?? s.topValues.map((v) => v.value);
  return [...new Set(src)];
}

function isIntegerVocabulary(fs: FeatureStatistics): boolean {
  const values = labels(fs);
  if (values.length === 0 || values.includes(INVALID_UTF8_LABEL)) return false;
  return values.every((v) => /^[-+]?\d+$/.test(v) && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n);
}

function stringDomainCandidate(fs: FeatureStatistics, maxDomain: number, maxRatio: number): string[] | undefined {
  const s = fs.stringStats;
  if (!s || fs.type === "BYTES" || fs.type === "INT") return undefined;
  const values = labels(fs);
  if (values.length === 0 || values.length > maxDomain || values.includes(INVALID_UTF8_LABEL)) return undefined;
  if (values.length < s.unique) return undefined; // the statistics do not list every value
  const total = s.commonStats.totNumValues;
  if (total > 0 && s.unique / total > maxRatio) return undefined;
  return values.sort(compareCodePoints);
}

function uniqueDomainName(candidate: string, domains: readonly StringDomain[]): string {
  const names = new Set(domains.map((d) => d.name));
  let name = candidate;
  for (let i = 2; names.has(name); i++) name = `${candidate}${i}`;
  return name;
}
