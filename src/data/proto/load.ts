/**
 * Lazy protobufjs types for the tensorflow_metadata messages Koan reads and writes in binary.
 *
 * protobufjs is imported on first use only (`await import("protobufjs")`), so importing the statistics module
 * does not load it; the parsed types are cached for the life of the process.
 * @module
 */
import type { Type } from "protobufjs";
import { loadCommonJs } from "../../core/commonjs.js";
import { KoanError } from "../../core/errors.js";
import { DATASET_FEATURE_STATISTICS_LIST, STATISTICS_PROTO_SOURCE } from "./statistics-proto.js";

/** The protobufjs message types Koan uses for statistics. */
export interface StatisticsTypes {
  /** `tensorflow.metadata.v0.DatasetFeatureStatisticsList`. */
  readonly datasetFeatureStatisticsList: Type;
}

let cached: Promise<StatisticsTypes> | undefined;

/**
 * Build (once) and return the statistics message types.
 * @example
 * const { datasetFeatureStatisticsList } = await loadStatisticsTypes();
 * const message = datasetFeatureStatisticsList.decode(bytes);
 */
export function loadStatisticsTypes(): Promise<StatisticsTypes> {
  cached ??= build().catch((e: unknown) => {
    cached = undefined;
    throw new KoanError("INTERNAL", `could not build the statistics protobuf types: ${String(e)}`, { cause: e });
  });
  return cached;
}

async function build(): Promise<StatisticsTypes> {
  const protobuf = await loadCommonJs<typeof import("protobufjs")>("protobufjs");
  const { root } = protobuf.parse(STATISTICS_PROTO_SOURCE, { keepCase: false });
  return { datasetFeatureStatisticsList: root.lookupType(DATASET_FEATURE_STATISTICS_LIST) };
}
