/**
 * Turning a feature's streaming state into its final {@link FeatureStatistics}.
 * @module
 */
import { decodeUtf8Binary } from "./bytes.js";
import type { FeatureAccumulator } from "./feature-accumulator.js";
import type { NumericPart } from "./numeric-part.js";
import type { StringPart } from "./string-part.js";
import { quantileOf, quantilesHistogram, standardHistogram, totalCount, type SketchContext } from "./histograms.js";
import type { ResolvedStatsOptions } from "./options.js";
import { compareCodePoints } from "./order.js";
import type {
  CommonStatistics,
  FeatureStatistics,
  FreqAndValue,
  NumericStatistics,
  StringStatistics,
} from "./types.js";

/** Label TFDV writes in place of values that are not valid UTF-8. */
export const INVALID_UTF8_LABEL = "__BYTES_VALUE__";

/** Final statistics of one feature in a dataset of `numExamples` examples. */
export function finishFeature(f: FeatureAccumulator, numExamples: number, options: ResolvedStatsOptions): FeatureStatistics {
  const common = finishCommon(f, numExamples, options);
  if (f.strings) return { name: f.name, type: "STRING", stringStats: finishStrings(f.strings, common, options) };
  return { name: f.name, type: f.kind === "float" ? "FLOAT" : "INT", numStats: finishNumeric(f.numeric!, common, options) };
}

function finishCommon(f: FeatureAccumulator, numExamples: number, options: ResolvedStatsOptions): CommonStatistics {
  const present = f.numNonMissing > 0;
  const min = present ? f.minNumValues : 0;
  const max = present ? f.maxNumValues : 0;
  const ctx: SketchContext = { numNan: 0, numNegInf: 0, numPosInf: 0, finiteMin: min, finiteMax: max };
  return {
    numNonMissing: f.numNonMissing,
    numMissing: numExamples - f.numNonMissing,
    minNumValues: min,
    maxNumValues: max,
    avgNumValues: present ? f.totNumValues / f.numNonMissing : 0,
    totNumValues: f.totNumValues,
    ...(present ? { numValuesHistogram: quantilesHistogram(f.numValues, ctx, options.numValuesHistogramBuckets) } : {}),
  };
}

function finishNumeric(p: NumericPart, commonStats: CommonStatistics, options: ResolvedStatsOptions): NumericStatistics {
  const hasFinite = p.finiteCount > 0;
  const ctx: SketchContext = {
    numNan: p.numNan,
    numNegInf: p.numNegInf,
    numPosInf: p.numPosInf,
    finiteMin: hasFinite ? p.min : 0,
    finiteMax: hasFinite ? p.max : 0,
  };
  const total = totalCount(p.sketch, ctx);
  const infinite = p.numNegInf > 0 || p.numPosInf > 0;
  let mean = p.moments.mean;
  if (p.numNegInf > 0 && p.numPosInf > 0) mean = Number.NaN;
  else if (p.numPosInf > 0) mean = Number.POSITIVE_INFINITY;
  else if (p.numNegInf > 0) mean = Number.NEGATIVE_INFINITY;
  const min = p.numNegInf > 0 ? Number.NEGATIVE_INFINITY : hasFinite ? p.min : p.numPosInf > 0 ? Number.POSITIVE_INFINITY : 0;
  const max = p.numPosInf > 0 ? Number.POSITIVE_INFINITY : hasFinite ? p.max : p.numNegInf > 0 ? Number.NEGATIVE_INFINITY : 0;
  const histograms =
    total === 0 && p.numNan === 0
      ? []
      : [
          standardHistogram(p.sketch, ctx, options.numHistogramBuckets),
          quantilesHistogram(p.sketch, ctx, options.numQuantilesHistogramBuckets),
        ];
  return {
    commonStats,
    mean: total === 0 ? 0 : mean,
    stdDev: infinite ? Number.NaN : Math.sqrt(p.moments.variance),
    numZeros: p.numZeros,
    min,
    median: total === 0 ? 0 : quantileOf(p.sketch, ctx, 1, 2),
    max,
    histograms,
  };
}

function finishStrings(p: StringPart, commonStats: CommonStatistics, options: ResolvedStatsOptions): StringStatistics {
  const byLabel = new Map<string, number>();
  for (const [key, count] of p.values.entries()) {
    const label = decodeUtf8Binary(key) ?? INVALID_UTF8_LABEL;
    byLabel.set(label, (byLabel.get(label) ?? 0) + count);
  }
  const ranked: FreqAndValue[] = [...byLabel]
    .map(([value, frequency]) => ({ value, frequency }))
    .sort((a, b) => b.frequency - a.frequency || compareCodePoints(b.value, a.value));
  const numValues = commonStats.totNumValues;
  return {
    commonStats,
    unique: p.values.distinct(),
    topValues: ranked.slice(0, options.numTopValues),
    avgLength: numValues === 0 ? 0 : p.totalBytes / numValues,
    rankHistogram: {
      buckets: ranked
        .slice(0, options.numRankHistogramBuckets)
        .map((v, i) => ({ lowRank: i, highRank: i, label: v.value, sampleCount: v.frequency })),
    },
    invalidUtf8Count: p.invalidUtf8,
  };
}
