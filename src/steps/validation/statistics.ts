/**
 * `statistics`: TFDV-style statistics of every split of a dataset, in one streaming pass per split.
 * @module
 */
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/type.js";
import { StatisticsAccumulator } from "../../data/stats/accumulator.js";
import type { DatasetStatistics } from "../../data/stats/types.js";
import { statisticsType } from "./types.js";

export const statistics = step({
  name: "statistics",
  description: "statistics of every split (count, missing, numeric and string summaries, histograms)",
  inputs: { dataset: dataset() },
  outputs: { statistics: statisticsType() },
  run: async (ctx, { dataset: data }) => {
    const out: DatasetStatistics[] = [];
    for (const split of data.splits) {
      const acc = new StatisticsAccumulator();
      for await (const ex of data.examples(split)) acc.add(ex);
      const s = acc.finish({ name: split });
      ctx.log.info(`split ${split}: ${s.numExamples} examples, ${s.features.length} features`);
      out.push(s);
    }
    return { statistics: JSON.parse(JSON.stringify(out)) as DatasetStatistics[] };
  },
});
