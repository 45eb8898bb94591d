/**
 * One-call statistics over a sequence of Examples.
 * @module
 */
import type { Example } from "../example/types.js";
import { StatisticsAccumulator } from "./accumulator.js";
import type { StatsOptions } from "./options.js";
import type { DatasetStatistics } from "./types.js";

/**
 * Compute the statistics of all examples of a (sync or async) iterable in one streaming pass.
 * @example
 * ```ts
 * const stats = await computeStatistics(readExamples("train.tfrecord.gz"), { name: "train" });
 * ```
 */
export async function computeStatistics(
  examples: Iterable<Example> | AsyncIterable<Example>,
  options: StatsOptions & { name?: string } = {},
): Promise<DatasetStatistics> {
  const { name, ...statsOptions } = options;
  const acc = new StatisticsAccumulator(statsOptions);
  if (Symbol.asyncIterator in examples) {
    for await (const ex of examples) acc.add(ex);
  } else {
    for (const ex of examples) acc.add(ex);
  }
  return acc.finish({ name });
}
