/**
 * Checks of one schema feature against its statistics, in TFDV's order (`Schema::UpdateFeatureInternal`):
 * schema self-consistency, presence in any example, environment, valency, presence bounds, type, domain,
 * unique constraints, then drift and skew comparators.
 * @module
 */
import { commonStatsOf } from "../stats/order.js";
import type { CommonStatistics, FeatureStatistics } from "../stats/types.js";
import { isFeatureInEnvironment, isPresenceRequired, stringDomainOf } from "../schema/lookup.js";
import type { FeatureType, SchemaFeature } from "../schema/types.js";
import { runComparator } from "./comparators.js";
import { checkFloatDomain, checkIntDomain, checkStringDomain } from "./domain-checks.js";
import type { ValidationContext } from "./report.js";

const DROPPED = "Column dropped";

const DOMAIN_TYPES: readonly [keyof SchemaFeature, string, readonly FeatureType[]][] = [
  ["domain", "domain", ["BYTES"]],
  ["stringDomain", "string_domain", ["BYTES"]],
  ["intDomain", "int_domain", ["INT", "BYTES"]],
  ["floatDomain", "float_domain", ["FLOAT", "BYTES"]],
  ["boolDomain", "bool_domain", ["INT", "BYTES", "FLOAT"]],
  ["structDomain", "struct_domain", ["STRUCT"]],
  ["naturalLanguageDomain", "natural_language_domain", ["BYTES"]],
  ["imageDomain", "image_domain", ["BYTES"]],
  ["midDomain", "mid_domain", ["BYTES"]],
  ["urlDomain", "url_domain", ["BYTES"]],
  ["timeDomain", "time_domain", ["INT", "BYTES"]],
];

/** Validate one (non-deprecated) schema feature that has statistics. */
export function checkFeature(ctx: ValidationContext, feature: SchemaFeature, stats: FeatureStatistics): void {
  const type = checkSchemaSelf(ctx, feature);
  if (type === undefined) return;
  const common = commonStatsOf(stats);
  const numPresent = common?.numNonMissing ?? 0;
  if (!common || numPresent === 0) {
    if (isPresenceRequired(feature) && isFeatureInEnvironment(ctx.schema, feature, ctx.options.environment)) {
      ctx.report(feature.name, "FEATURE_TYPE_NOT_PRESENT", DROPPED, "The feature was not present in any examples.");
    }
    return;
  }
  const env = ctx.options.environment;
  if (!isFeatureInEnvironment(ctx.schema, feature, env)) {
    ctx.report(feature.name, "SCHEMA_NEW_COLUMN", "Column missing in environment", `New column ${feature.name} found in data but not in the environment ${env} in the schema.`);
  }
  checkValency(ctx, feature, common);
  checkPresence(ctx, feature, common);
  const statsType: FeatureType = stats.type === "STRING" ? "BYTES" : stats.type;
  if (statsType !== type) {
    ctx.report(feature.name, "UNEXPECTED_DATA_TYPE", "Unexpected data type", `Expected data of type: ${type} but got ${stats.type}`);
    return;
  }
  checkDomain(ctx, feature, stats);
  checkUnique(ctx, feature, stats);
  if (feature.driftComparator) runComparator(ctx, "drift", feature.driftComparator, stats);
  if (feature.skewComparator) runComparator(ctx, "skew", feature.skewComparator, stats);
}

/** Schema problems of the feature itself; returns the type to validate against, or undefined to stop. */
function checkSchemaSelf(ctx: ValidationContext, f: SchemaFeature): FeatureType | undefined {
  let type = f.type;
  if (type === undefined || type === "TYPE_UNKNOWN") {
    if (f.domain !== undefined || f.stringDomain) {
      ctx.report(f.name, "FEATURE_MISSING_TYPE", "Feature has no type", "unspecified type: inferring the type to be BYTES, given the domain specified.");
      type = "BYTES";
    } else {
      ctx.report(f.name, "FEATURE_MISSING_TYPE", "Feature has no type", "unspecified type: determine the type and set it, rather than deprecating.");
      return undefined;
    }
  }
  const spec = (msg: string): void => ctx.report(f.name, "INVALID_SCHEMA_SPECIFICATION", "Invalid schema specification", msg);
  const minFraction = f.presence?.minFraction;
  if (minFraction !== undefined && minFraction < 0) spec("min_fraction should not be negative: clear is equal to zero");
  if (minFraction !== undefined && minFraction > 1) spec("min_fraction should not greater than 1");
  if (f.valueCount?.min !== undefined && f.valueCount.min < 0) spec("ValueCount.min should not be negative");
  if (f.valueCount?.max !== undefined && f.valueCount.max < (f.valueCount.min ?? 0)) spec("ValueCount.max should not be less than min");
  for (const [key, text, types] of DOMAIN_TYPES) {
    if (f[key] !== undefined && !types.includes(type)) {
      ctx.report(f.name, "DOMAIN_INVALID_FOR_TYPE", "The domain does not match the type", `The domain "${text}" does not match the type: ${type}`);
    }
  }
  if (f.domain !== undefined && !stringDomainOf(ctx.schema, f)) spec(`missing domain: ${f.domain}`);
  const domain = stringDomainOf(ctx.schema, f);
  if (domain) {
    const seen = new Set<string>();
    const repeats = domain.value.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
    if (repeats.length > 0) {
      ctx.report(f.name, "INVALID_DOMAIN_SPECIFICATION", "Malformed StringDomain", `Repeated values in StringDomain:${repeats.join(", ")}`);
    }
  }
  return type;
}

function checkValency(ctx: ValidationContext, f: SchemaFeature, c: CommonStatistics): void {
  const bounds = f.valueCount ?? (f.valueCounts?.valueCount.length === 1 ? f.valueCounts.valueCount[0] : undefined);
  if (f.valueCounts && f.valueCounts.valueCount.length !== 1) {
    ctx.report(f.name, "VALUE_NESTEDNESS_MISMATCH", "Mismatched value nest level", "The values have a different nest level than expected. Value counts will not be checked.");
  }
  if (bounds?.min !== undefined && c.minNumValues < bounds.min) {
    ctx.report(f.name, "FEATURE_TYPE_LOW_NUMBER_VALUES", "Missing values", `Some examples have fewer values than expected: minimum ${bounds.min}, found ${c.minNumValues}.`);
  }
  if (bounds?.max !== undefined && c.maxNumValues > bounds.max) {
    ctx.report(f.name, "FEATURE_TYPE_HIGH_NUMBER_VALUES", "Superfluous values", `Some examples have more values than expected: maximum ${bounds.max}, found ${c.maxNumValues}.`);
  }
  if (f.shape) {
    const size = f.shape.dim.reduce((p, d) => p * (d.size ?? 0), 1);
    if (c.numMissing > 0 || c.minNumValues !== size || c.maxNumValues !== size) {
      ctx.report(
        f.name,
        "INVALID_FEATURE_SHAPE",
        "Invalid feature shape",
        `Expected ${size} values in every example (shape [${f.shape.dim.map((d) => d.size ?? 0).join(", ")}]), found ${c.minNumValues} to ${c.maxNumValues} values and ${c.numMissing} examples without the feature.`,
      );
    }
  }
}

function checkPresence(ctx: ValidationContext, f: SchemaFeature, c: CommonStatistics): void {
  const p = f.presence;
  if (!p) return;
  const numExamples = ctx.stats.numExamples;
  const present = c.numNonMissing;
  if (p.minCount !== undefined && present < p.minCount) {
    ctx.report(f.name, "FEATURE_TYPE_LOW_NUMBER_PRESENT", DROPPED, `The feature was present in fewer examples than expected: minimum ${p.minCount}, found ${present}.`);
  }
  // An out-of-range min_fraction was reported by checkSchemaSelf; like TFDV, validate with it clamped to [0, 1].
  const minFraction = p.minFraction === undefined || p.minFraction < 0 ? undefined : Math.min(p.minFraction, 1);
  if (minFraction !== undefined && numExamples > 0) {
    const fraction = present >= numExamples ? 1 : present / numExamples;
    if (fraction < minFraction) {
      ctx.report(f.name, "FEATURE_TYPE_LOW_FRACTION_PRESENT", DROPPED, `The feature was present in fewer examples than expected: minimum fraction ${minFraction}, found ${fraction} (missing in ${numExamples - present} examples).`);
    } else if (minFraction === 1 && c.numMissing > 0) {
      ctx.report(f.name, "FEATURE_TYPE_LOW_FRACTION_PRESENT", DROPPED, `The feature was expected everywhere, but was missing in ${c.numMissing} examples.`);
    }
  }
}

function checkDomain(ctx: ValidationContext, f: SchemaFeature, stats: FeatureStatistics): void {
  if (stats.bytesStats && !stats.stringStats) {
    const compatible = f.domain === undefined && !f.stringDomain && !f.intDomain && !f.floatDomain && !f.boolDomain && !f.structDomain && !f.timeDomain && !f.midDomain;
    if (!compatible) ctx.report(f.name, "DOMAIN_INVALID_FOR_TYPE", "The domain does not match the type", "Data is marked as BYTES with incompatible domain_info.");
    return;
  }
  const stringDomain = stringDomainOf(ctx.schema, f);
  if (stringDomain && (f.domain !== undefined || f.stringDomain)) checkStringDomain(ctx, f, stringDomain, stats);
  else if (f.intDomain) checkIntDomain(ctx, f, f.intDomain, stats);
  else if (f.floatDomain) checkFloatDomain(ctx, f, f.floatDomain, stats);
}

function checkUnique(ctx: ValidationContext, f: SchemaFeature, stats: FeatureStatistics): void {
  const u = f.uniqueConstraints;
  if (!u) return;
  const unique = stats.stringStats?.unique;
  if (unique === undefined) {
    ctx.report(f.name, "FEATURE_TYPE_NO_UNIQUE", "No unique values", "UniqueConstraints specified for the feature, but unique values were not counted (i.e., feature is not string or categorical).");
    return;
  }
  if (u.min !== undefined && unique < u.min) {
    ctx.report(f.name, "FEATURE_TYPE_LOW_UNIQUE", "Low number of unique values", `Expected at least ${u.min} unique values but found only ${unique}.`);
  }
  if (u.max !== undefined && unique > u.max) {
    ctx.report(f.name, "FEATURE_TYPE_HIGH_UNIQUE", "High number of unique values", `Expected no more than ${u.max} unique values but found ${unique}.`);
  }
}
