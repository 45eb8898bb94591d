/**
 * Binary interop: Koan statistics to and from a serialized `tensorflow.metadata.v0.DatasetFeatureStatisticsList`
 * (the `FeatureStats.pb` TFX's StatisticsGen writes). protobufjs is loaded lazily on first call.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { loadStatisticsTypes } from "../proto/load.js";
import { compareCodePoints } from "./order.js";
import type {
  BytesStatistics,
  CommonStatistics,
  DatasetStatistics,
  FeatureStatistics,
  Histogram,
  NumericStatistics,
  RankHistogram,
  StatsFeatureType,
  StringStatistics,
  StructStatistics,
} from "./types.js";

/**
 * Serialize datasets as a binary `DatasetFeatureStatisticsList`. Features are written with `path { step: name }`
 * as current TFDV does.
 * @example
 * ```ts
 * await writeFile("FeatureStats.pb", await encodeStatisticsList([stats]));
 * ```
 */
export async function encodeStatisticsList(datasets: readonly DatasetStatistics[]): Promise<Uint8Array> {
  const { datasetFeatureStatisticsList: type } = await loadStatisticsTypes();
  const message = type.fromObject({ datasets: datasets.map(datasetToProto) });
  return type.encode(message).finish();
}

/**
 * Parse a binary `DatasetFeatureStatisticsList` (Koan's or TFDV's). Nested paths become names joined with `.`;
 * features are sorted by name; fields Koan does not model (weighted, cross-feature, custom statistics) are dropped.
 * @throws KoanError `FORMAT_INVALID` when the bytes are not such a message.
 * @example
 * ```ts
 * const [train] = await decodeStatisticsList(await readFile("Split-train/FeatureStats.pb"));
 * ```
 */
export async function decodeStatisticsList(bytes: Uint8Array): Promise<DatasetStatistics[]> {
  const { datasetFeatureStatisticsList: type } = await loadStatisticsTypes();
  let plain: PList;
  try {
    plain = type.toObject(type.decode(bytes), { longs: Number, enums: String, defaults: false, arrays: true }) as PList;
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `not a DatasetFeatureStatisticsList: ${(e as Error).message}`, {
      cause: e,
      hint: "expected the binary FeatureStats.pb written by TFDV / StatisticsGen or by Koan",
    });
  }
  return (plain.datasets ?? []).map(datasetFromProto);
}

// ---- proto object shapes (protobufjs plain objects, camelCase) ----

interface PList {
  datasets?: PDataset[];
}
interface PDataset {
  name?: string;
  numExamples?: number;
  features?: PFeature[];
}
interface PFeature {
  name?: string;
  path?: { step?: string[] };
  type?: StatsFeatureType;
  numStats?: PNumeric;
  stringStats?: PString;
  bytesStats?: PBytes;
  structStats?: { commonStats?: PCommon };
}
interface PCommon {
  numNonMissing?: number;
  numMissing?: number;
  minNumValues?: number;
  maxNumValues?: number;
  avgNumValues?: number;
  totNumValues?: number;
  numValuesHistogram?: PHistogram;
}
interface PHistogram {
  numNan?: number;
  numUndefined?: number;
  buckets?: { lowValue?: number; highValue?: number; sampleCount?: number }[];
  type?: "STANDARD" | "QUANTILES";
  name?: string;
}
interface PRankHistogram {
  buckets?: { lowRank?: number; highRank?: number; label?: string; sampleCount?: number }[];
  name?: string;
}
interface PNumeric {
  commonStats?: PCommon;
  mean?: number;
  stdDev?: number;
  numZeros?: number;
  min?: number;
  median?: number;
  max?: number;
  histograms?: PHistogram[];
}
interface PString {
  commonStats?: PCommon;
  unique?: number;
  topValues?: { value?: string; frequency?: number }[];
  avgLength?: number;
  rankHistogram?: PRankHistogram;
  invalidUtf8Count?: number;
}
interface PBytes {
  commonStats?: PCommon;
  unique?: number;
  avgNumBytes?: number;
  minNumBytes?: number;
  maxNumBytes?: number;
}

// ---- Koan -> proto ----

function datasetToProto(d: DatasetStatistics): PDataset {
  return { name: d.name, numExamples: d.numExamples, features: d.features.map(featureToProto) };
}

function featureToProto(f: FeatureStatistics): PFeature {
  const out: PFeature = { path: { step: [f.name] }, type: f.type };
  if (f.numStats) {
    const n = f.numStats;
    out.numStats = {
      commonStats: commonToProto(n.commonStats),
      mean: n.mean,
      stdDev: n.stdDev,
      numZeros: n.numZeros,
      min: n.min,
      median: n.median,
      max: n.max,
      histograms: n.histograms.map(histogramToProto),
    };
  } else if (f.stringStats) {
    const s = f.stringStats;
    out.stringStats = {
      commonStats: commonToProto(s.commonStats),
      unique: s.unique,
      topValues: s.topValues.map((v) => ({ value: v.value, frequency: v.frequency })),
      avgLength: s.avgLength,
      invalidUtf8Count: s.invalidUtf8Count,
      ...(s.rankHistogram ? { rankHistogram: rankToProto(s.rankHistogram) } : {}),
    };
  } else if (f.bytesStats) {
    const b = f.bytesStats;
    out.bytesStats = {
      commonStats: commonToProto(b.commonStats),
      unique: b.unique,
      avgNumBytes: b.avgNumBytes,
      minNumBytes: b.minNumBytes,
      maxNumBytes: b.maxNumBytes,
    };
  } else if (f.structStats) {
    out.structStats = { commonStats: commonToProto(f.structStats.commonStats) };
  }
  return out;
}

function commonToProto(c: CommonStatistics): PCommon {
  return {
    numNonMissing: c.numNonMissing,
    numMissing: c.numMissing,
    minNumValues: c.minNumValues,
    maxNumValues: c.maxNumValues,
    avgNumValues: c.avgNumValues,
    totNumValues: c.totNumValues,
    ...(c.numValuesHistogram ? { numValuesHistogram: histogramToProto(c.numValuesHistogram) } : {}),
  };
}

function histogramToProto(h: Histogram): PHistogram {
  return {
    numNan: h.numNan,
    numUndefined: h.numUndefined,
    buckets: h.buckets.map((b) => ({ lowValue: b.lowValue, highValue: b.highValue, sampleCount: b.sampleCount })),
    type: h.type,
    ...(h.name ? { name: h.name } : {}),
  };
}

function rankToProto(r: RankHistogram): PRankHistogram {
  return {
    buckets: r.buckets.map((b) => ({ lowRank: b.lowRank, highRank: b.highRank, label: b.label, sampleCount: b.sampleCount })),
    ...(r.name ? { name: r.name } : {}),
  };
}

// ---- proto -> Koan ----

function datasetFromProto(d: PDataset): DatasetStatistics {
  const features = (d.features ?? []).map(featureFromProto).sort((a, b) => compareCodePoints(a.name, b.name));
  return { name: d.name ?? "", numExamples: d.numExamples ?? 0, features };
}

function featureFromProto(f: PFeature): FeatureStatistics {
  const name = f.name ?? (f.path?.step ?? []).join(".");
  const base = { name, type: f.type ?? "INT" };
  if (f.numStats) return { ...base, numStats: numericFromProto(f.numStats) };
  if (f.stringStats) return { ...base, stringStats: stringFromProto(f.stringStats) };
  if (f.bytesStats) return { ...base, bytesStats: bytesFromProto(f.bytesStats) };
  const structStats: StructStatistics = { commonStats: commonFromProto(f.structStats?.commonStats) };
  return { ...base, structStats };
}

function commonFromProto(c: PCommon = {}): CommonStatistics {
  return {
    numNonMissing: c.numNonMissing ?? 0,
    numMissing: c.numMissing ?? 0,
    minNumValues: c.minNumValues ?? 0,
    maxNumValues: c.maxNumValues ?? 0,
    avgNumValues: c.avgNumValues ?? 0,
    totNumValues: c.totNumValues ?? 0,
    ...(c.numValuesHistogram ? { numValuesHistogram: histogramFromProto(c.numValuesHistogram) } : {}),
  };
}

function histogramFromProto(h: PHistogram): Histogram {
  return {
    type: h.type ?? "STANDARD",
    numNan: h.numNan ?? 0,
    numUndefined: h.numUndefined ?? 0,
    buckets: (h.buckets ?? []).map((b) => ({ lowValue: b.lowValue ?? 0, highValue: b.highValue ?? 0, sampleCount: b.sampleCount ?? 0 })),
    ...(h.name ? { name: h.name } : {}),
  };
}

function numericFromProto(n: PNumeric): NumericStatistics {
  return {
    commonStats: commonFromProto(n.commonStats),
    mean: n.mean ?? 0,
    stdDev: n.stdDev ?? 0,
    numZeros: n.numZeros ?? 0,
    min: n.min ?? 0,
    median: n.median ?? 0,
    max: n.max ?? 0,
    histograms: (n.histograms ?? []).map(histogramFromProto),
  };
}

function stringFromProto(s: PString): StringStatistics {
  return {
    commonStats: commonFromProto(s.commonStats),
    unique: s.unique ?? 0,
    topValues: (s.topValues ?? []).map((v) => ({ value: v.value ?? "", frequency: v.frequency ?? 0 })),
    avgLength: s.avgLength ?? 0,
    ...(s.rankHistogram
      ? {
          rankHistogram: {
            buckets: (s.rankHistogram.buckets ?? []).map((b) => ({
              lowRank: b.lowRank ?? 0,
              highRank: b.highRank ?? 0,
              label: b.label ?? "",
              sampleCount: b.sampleCount ?? 0,
            })),
            ...(s.rankHistogram.name ? { name: s.rankHistogram.name } : {}),
          },
        }
      : {}),
    invalidUtf8Count: s.invalidUtf8Count ?? 0,
  };
}

function bytesFromProto(b: PBytes): BytesStatistics {
  return {
    commonStats: commonFromProto(b.commonStats),
    unique: b.unique ?? 0,
    avgNumBytes: b.avgNumBytes ?? 0,
    minNumBytes: b.minNumBytes ?? 0,
    maxNumBytes: b.maxNumBytes ?? 0,
  };
}
