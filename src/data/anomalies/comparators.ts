/**
 * Drift (current vs previous span) and skew (training vs serving) comparators of one feature, with TFDV's
 * measures, thresholds and wording (`feature_util.cc`).
 * @module
 */
import { findFeatureStats } from "../stats/order.js";
import type { FeatureStatistics, Histogram } from "../stats/types.js";
import type { FeatureComparator, HistogramSelectionType } from "../schema/types.js";
import { jensenShannonDivergenceOfCounts, lInfinityDistance, normalizedAbsoluteDifference, valueCountsOf } from "./distance.js";
import { sixDigits } from "./format.js";
import { histogramJensenShannonDivergence } from "./histogram-jsd.js";
import type { ValidationContext } from "./report.js";
import type { Comparison } from "./types.js";

const NAMES: Record<Comparison, { treatment: string; control: string }> = {
  drift: { treatment: "current", control: "previous" },
  skew: { treatment: "training", control: "serving" },
};

/**
 * Approximate Jensen-Shannon divergence between two features' statistics: over value counts when both are
 * categorical, else over their histograms of the selected type (DEFAULT and STANDARD pick the standard one).
 * @returns undefined when the statistics hold nothing comparable.
 */
export function featureJensenShannonDivergence(a: FeatureStatistics, b: FeatureStatistics, source: HistogramSelectionType = "DEFAULT"): number | undefined {
  const ca = valueCountsOf(a);
  const cb = valueCountsOf(b);
  if (ca.size > 0 && cb.size > 0) return jensenShannonDivergenceOfCounts(ca, cb);
  const ha = histogramOf(a, source);
  const hb = histogramOf(b, source);
  return ha && hb ? histogramJensenShannonDivergence(ha, hb) : undefined;
}

function histogramOf(f: FeatureStatistics, source: HistogramSelectionType): Histogram | undefined {
  const type = source === "QUANTILES" ? "QUANTILES" : "STANDARD";
  return f.numStats?.histograms.find((h) => h.type === type);
}

/** Run one feature's comparator against the control statistics, recording measurements and anomalies. */
export function runComparator(
  ctx: ValidationContext,
  comparison: Comparison,
  comparator: FeatureComparator,
  current: FeatureStatistics,
): void {
  const linf = comparator.infinityNorm?.threshold;
  const jsd = comparator.jensenShannonDivergence?.threshold;
  const nad = comparator.normalizedAbsDifference?.threshold;
  if (linf === undefined && jsd === undefined && nad === undefined) return;
  const controlDataset = comparison === "drift" ? ctx.options.previous : ctx.options.serving;
  if (!controlDataset) return;
  const { treatment, control } = NAMES[comparison];
  const name = current.name;
  const controlStats = findFeatureStats(controlDataset, name);
  if (!controlStats) {
    ctx.report(name, "COMPARATOR_CONTROL_DATA_MISSING", `${control} data missing`, `${control} data is missing.`);
    return;
  }
  const measure = (type: "L_INFTY" | "JENSEN_SHANNON_DIVERGENCE" | "NORMALIZED_ABSOLUTE_DIFFERENCE", value: number, threshold: number): void => {
    ctx.measurements.push({ feature: name, comparison, type, value, threshold });
  };
  const categorical = valueCountsOf(current).size > 0 || valueCountsOf(controlStats).size > 0;
  if (linf !== undefined && categorical) {
    const d = lInfinityDistance(valueCountsOf(current), valueCountsOf(controlStats));
    measure("L_INFTY", d.value, linf);
    if (d.value > linf) {
      ctx.report(
        name,
        "COMPARATOR_L_INFTY_HIGH",
        `High Linfty distance between ${treatment} and ${control}`,
        `The Linfty distance between ${treatment} and ${control} is ${sixDigits(d.value)} (up to six significant digits), above the threshold ${sixDigits(linf)}. The feature value with maximum difference is: ${d.maxDifferenceValue}`,
      );
    }
  }
  if (jsd !== undefined) {
    const value = featureJensenShannonDivergence(current, controlStats, comparator.jensenShannonDivergence?.source?.type);
    if (value !== undefined) {
      measure("JENSEN_SHANNON_DIVERGENCE", value, jsd);
      if (value > jsd) {
        ctx.report(
          name,
          "COMPARATOR_JENSEN_SHANNON_DIVERGENCE_HIGH",
          `High approximate Jensen-Shannon divergence between ${treatment} and ${control}`,
          `The approximate Jensen-Shannon divergence between ${treatment} and ${control} is ${sixDigits(value)} (up to six significant digits), above the threshold ${sixDigits(jsd)}.`,
        );
      }
    }
  }
  if (nad !== undefined && categorical) {
    const d = normalizedAbsoluteDifference(valueCountsOf(current), valueCountsOf(controlStats));
    measure("NORMALIZED_ABSOLUTE_DIFFERENCE", d.value, nad);
    if (d.value > nad) {
      ctx.report(
        name,
        "COMPARATOR_NORMALIZED_ABSOLUTE_DIFFERENCE_HIGH",
        `High normalized absolute difference between ${treatment} and ${control}`,
        `The normalized absolute difference between ${treatment} and ${control} is ${sixDigits(d.value)} (up to six significant digits), above the threshold ${sixDigits(nad)}. The feature value with maximum difference is: ${d.maxDifferenceValue}`,
      );
    }
  }
}
