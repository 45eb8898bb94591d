/**
 * Checks of a feature's values against its domain: string (vocabulary), int and float ranges
 * (TFDV's `string_domain_util`, `int_domain_util`, `float_domain_util`).
 * @module
 */
import { INVALID_UTF8_LABEL } from "../stats/finish.js";
import { compareCodePoints } from "../stats/order.js";
import type { FeatureStatistics } from "../stats/types.js";
import type { FloatDomain, IntDomain, SchemaFeature, StringDomain } from "../schema/types.js";
import { valueCountsOf } from "./distance.js";
import { cEscape, percentage, sixDigits } from "./format.js";
import type { ValidationContext } from "./report.js";

const OUT_OF_RANGE = "Out-of-range values";
const INVALID_VALUES = "Invalid values";

/** Values outside the string domain, beyond the tolerated off-domain mass (`1 - min_domain_mass`, default 0). */
export function checkStringDomain(ctx: ValidationContext, feature: SchemaFeature, domain: StringDomain, stats: FeatureStatistics): void {
  const counts = valueCountsOf(stats);
  if ((stats.stringStats?.invalidUtf8Count ?? 0) > 0 || counts.has(INVALID_UTF8_LABEL)) {
    ctx.report(feature.name, "ENUM_TYPE_INVALID_UTF8", "Invalid UTF8 strings", "Found strings that were not valid UTF8 strings.");
    return;
  }
  const allowed = new Set(domain.value);
  const missing = [...counts].filter(([v]) => !allowed.has(v)).sort((a, b) => compareCodePoints(a[0], b[0]));
  if (missing.length === 0) return;
  const missingCount = missing.reduce((s, [, c]) => s + c, 0);
  const total = stats.stringStats?.commonStats.totNumValues ?? 0;
  const minMass = feature.distributionConstraints?.minDomainMass;
  const maxOffDomain = minMass === undefined ? 0 : 1 - minMass;
  if (maxOffDomain === 0 || missingCount / total > maxOffDomain) {
    const list = missing.map(([v, c]) => `${cEscape(v)} (${percentage(c, total)})`).join(", ");
    ctx.report(feature.name, "ENUM_TYPE_UNEXPECTED_STRING_VALUES", "Unexpected string values", `Examples contain values missing from the schema: ${list}.`);
  }
}

/** Values below `min` or above `max` of an int domain; for string statistics, values that are not integers. */
export function checkIntDomain(ctx: ValidationContext, feature: SchemaFeature, domain: IntDomain, stats: FeatureStatistics): void {
  let range: [number, number] | undefined;
  if (stats.numStats && !stats.stringStats) {
    if (stats.type !== "INT" || stats.numStats.commonStats.totNumValues === 0) return;
    range = [stats.numStats.min, stats.numStats.max];
  } else if (stats.stringStats) {
    const labels = [...valueCountsOf(stats).keys()];
    const bad = labels.find((v) => !/^[-+]?\d+$/.test(v));
    if (bad !== undefined) {
      if (feature.type === "BYTES") {
        ctx.report(feature.name, "INT_TYPE_NOT_INT_STRING", INVALID_VALUES, `String values that were not ints were found, such as "${cEscape(bad)}".`);
      }
      return;
    }
    if (labels.length === 0) return;
    const values = labels.map(Number);
    range = [Math.min(...values), Math.max(...values)];
  }
  if (!range) return;
  if (domain.min !== undefined && domain.min > range[0]) {
    ctx.report(feature.name, "INT_TYPE_SMALL_INT", OUT_OF_RANGE, `Unexpectedly small value: ${range[0]}.`);
  }
  if (domain.max !== undefined && domain.max < range[1]) {
    ctx.report(feature.name, "INT_TYPE_BIG_INT", OUT_OF_RANGE, `Unexpectedly large value: ${range[1]}.`);
  }
}

/** Values outside a float domain (compared as float32, like TFDV), NaNs or infinities when disallowed. */
export function checkFloatDomain(ctx: ValidationContext, feature: SchemaFeature, domain: FloatDomain, stats: FeatureStatistics): void {
  let range: [number, number] | undefined;
  if (stats.numStats && stats.type === "FLOAT") {
    const n = stats.numStats;
    if (domain.disallowNan && n.histograms.some((h) => h.numNan > 0)) {
      ctx.report(feature.name, "FLOAT_TYPE_HAS_NAN", INVALID_VALUES, "Float feature has NaN values.");
    }
    if (domain.disallowInf && (!Number.isFinite(n.min) || !Number.isFinite(n.max)) && n.commonStats.totNumValues > 0) {
      ctx.report(feature.name, "FLOAT_TYPE_HAS_INF", INVALID_VALUES, "Float feature has Inf or -Inf values.");
    }
    if (n.commonStats.totNumValues > 0) range = [Math.fround(n.min), Math.fround(n.max)];
  } else if (stats.stringStats) {
    const labels = [...valueCountsOf(stats).keys()];
    const bad = labels.find((v) => v.trim() === "" || Number.isNaN(Number(v)));
    if (bad !== undefined) {
      ctx.report(feature.name, "FLOAT_TYPE_STRING_NOT_FLOAT", INVALID_VALUES, `String values that were not floats were found, such as "${cEscape(bad)}".`);
      return;
    }
    if (labels.length > 0) {
      const values = labels.map((v) => Math.fround(Number(v)));
      range = [Math.min(...values), Math.max(...values)];
    }
  }
  if (!range) return;
  if (domain.min !== undefined && range[0] < domain.min) {
    ctx.report(feature.name, "FLOAT_TYPE_SMALL_FLOAT", OUT_OF_RANGE, `Unexpectedly low values: ${sixDigits(range[0])}<${sixDigits(domain.min)}(upto six significant digits)`);
  }
  if (domain.max !== undefined && range[1] > domain.max) {
    ctx.report(feature.name, "FLOAT_TYPE_BIG_FLOAT", OUT_OF_RANGE, `Unexpectedly high value: ${sixDigits(range[1])}>${sixDigits(domain.max)}(upto six significant digits)`);
  }
}
