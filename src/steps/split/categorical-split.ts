/**
 * `categorical_split`: a string column's values mapped to splits (`{ train: ["Biscoe", "Dream"], eval:
 * ["Torgersen"] }`); rows whose value is not listed (or missing) follow the `unseen` policy: dropped
 * (`"skip"`, the default), an error (`"error"`), or sent to a named split (`{ split: "other" }`).
 *
 * @example
 * ```ts
 * const { dataset } = categoricalSplit({ dataset: raw }, {
 *   params: { column: "Island", domains: { train: ["Biscoe", "Dream"], test: ["Torgersen"] } },
 * });
 * ```
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/index.js";
import { fromParam, orderParam, orderSplits, shardsFor, shardsParam, unseenParam, type UnseenPolicy } from "./params.js";
import { categoryValue, inputSplits, requireCategorical, writeSplits } from "./run-split.js";

/** Output splits of a policy: the named unseen split joins them. */
export function withUnseen(splits: readonly string[], unseen: UnseenPolicy): string[] {
  return typeof unseen === "object" && !splits.includes(unseen.split) ? [...splits, unseen.split] : [...splits];
}

/** Apply an unseen policy to a category. */
export function unseenTarget(unseen: UnseenPolicy, column: string, value: string | null): string | null {
  if (unseen === "skip") return null;
  if (unseen === "error") {
    throw new KoanError("DATA_INVALID", `column "${column}" has ${value === null ? "a missing value" : `the unlisted category ${JSON.stringify(value)}`}`, {
      hint: 'list it, or set unseen: "skip" or { split: "..." }',
      details: { feature: column },
    });
  }
  return unseen.split;
}

/** Parameters of {@link categoricalSplit}. */
export const categoricalSplitParams = z
  .object({
    column: z.string(),
    domains: z.record(z.string(), z.array(z.string())),
    unseen: unseenParam,
    order: orderParam,
    from: fromParam,
    shards: shardsParam,
  })
  .strict();

/** Rows to splits by a string column's value, listed per split (see the module comment). */
export const categoricalSplit = step({
  name: "categorical_split",
  description: "split rows by the value of a string column (values listed per split)",
  version: "1",
  inputs: { dataset: dataset() },
  outputs: { dataset: dataset() },
  params: categoricalSplitParams,
  run: async (ctx, { dataset: data }, p) => {
    requireCategorical(data, p.column);
    const named = Object.keys(p.domains);
    if (named.length === 0) throw new KoanError("PARAM_INVALID", "domains are empty", { hint: 'e.g. { train: ["A", "B"], eval: ["C"] }' });
    const target = new Map<string, string>();
    for (const [split, values] of Object.entries(p.domains)) {
      for (const v of values) {
        const prior = target.get(v);
        if (prior !== undefined && prior !== split) throw new KoanError("PARAM_INVALID", `category ${JSON.stringify(v)} is listed for two splits ("${prior}" and "${split}")`);
        target.set(v, split);
      }
    }
    const splits = orderSplits(withUnseen(named, p.unseen), p.order);
    const out = await writeSplits(ctx, data, {
      method: "categorical",
      splits,
      shards: shardsFor(splits, p.shards),
      from: inputSplits(data, p.from),
      details: { column: p.column, domains: p.domains, unseen: p.unseen },
      assign: (ex) => {
        const v = categoryValue(ex, p.column);
        const t = v === null ? undefined : target.get(v);
        return t ?? unseenTarget(p.unseen, p.column, v);
      },
      category: (ex) => categoryValue(ex, p.column),
    });
    return { dataset: out };
  },
});
