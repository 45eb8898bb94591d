/**
 * Dataset-level checks: empty data, example-count bounds and example-count comparators
 * (`DatasetConstraints`, TFDV's `dataset_constraints_util`).
 * @module
 */
import type { NumericValueComparator } from "../schema/types.js";
import type { ValidationContext } from "./report.js";

/** Run the dataset-level checks; returns false when the data is empty and feature checks should be skipped. */
export function checkDataset(ctx: ValidationContext): boolean {
  const n = ctx.stats.numExamples;
  if (n === 0) {
    ctx.report(null, "NO_DATA_IN_SPAN", "No examples", "The dataset has no examples.");
    return false;
  }
  const c = ctx.schema.datasetConstraints;
  if (!c) return true;
  if (c.minExamplesCount !== undefined && n < c.minExamplesCount) {
    ctx.report(null, "DATASET_LOW_NUM_EXAMPLES", "Low num examples in dataset", `The dataset has ${n} examples, which is fewer than expected: minimum ${c.minExamplesCount}.`);
  }
  if (c.maxExamplesCount !== undefined && n > c.maxExamplesCount) {
    ctx.report(null, "DATASET_HIGH_NUM_EXAMPLES", "High num examples in dataset", `The dataset has ${n} examples, which is more than expected: maximum ${c.maxExamplesCount}.`);
  }
  compareCount(ctx, c.numExamplesDriftComparator, ctx.options.previous?.numExamples, "previous span");
  compareCount(ctx, c.numExamplesVersionComparator, ctx.options.previousVersion?.numExamples, "previous version");
  return true;
}

function compareCount(ctx: ValidationContext, cmp: NumericValueComparator | undefined, control: number | undefined, what: string): void {
  if (!cmp || control === undefined || control === 0) return;
  const n = ctx.stats.numExamples;
  const ratio = n / control;
  if (cmp.minFractionThreshold !== undefined && ratio < cmp.minFractionThreshold) {
    ctx.report(null, "COMPARATOR_LOW_NUM_EXAMPLES", "Low num examples in comparison", `The ratio of num examples in the current dataset versus the ${what} is ${ratio} (${n} / ${control}), below the threshold ${cmp.minFractionThreshold}.`);
  }
  if (cmp.maxFractionThreshold !== undefined && ratio > cmp.maxFractionThreshold) {
    ctx.report(null, "COMPARATOR_HIGH_NUM_EXAMPLES", "High num examples in comparison", `The ratio of num examples in the current dataset versus the ${what} is ${ratio} (${n} / ${control}), above the threshold ${cmp.maxFractionThreshold}.`);
  }
}
