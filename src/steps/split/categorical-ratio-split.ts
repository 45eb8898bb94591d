/**
 * `categorical_ratio_split`: whole categories to splits by ratio (a group split: every row of a category lands
 * in the same split, so no group leaks across splits). With `categories` listed, those categories are ordered by
 * their seeded hash and cut by ratio (each split gets its rounded share of the categories; rows of unlisted
 * categories follow `unseen`); without, each category is placed by its own seeded hash (one pass, shares close
 * to the ratios).
 *
 * @example
 * ```ts
 * const { dataset } = categoricalRatioSplit({ dataset: raw }, { params: { column: "user_id", ratios: { train: 0.8, eval: 0.2 } } });
 * ```
 * @module
 */
import { z } from "zod";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/index.js";
import { hashFraction } from "../../transform/hash.js";
import { utf8Bytes } from "../../transform/values.js";
import { unseenTarget, withUnseen } from "./categorical-split.js";
import { fromParam, intervalsOf, orderParam, pickInterval, ratiosParam, seedParam, shardsFor, shardsParam, unseenParam } from "./params.js";
import { categoryValue, inputSplits, requireCategorical, writeSplits } from "./run-split.js";

/** Assign listed categories to splits: order by seeded hash, cut by rounded cumulative shares. */
export function assignCategories(categories: readonly string[], splits: readonly string[], ratios: readonly number[], seed: number): Map<string, string> {
  const unique = [...new Set(categories)];
  const ordered = unique.map((c) => ({ c, u: hashFraction(utf8Bytes(c), seed) })).sort((a, b) => a.u - b.u || (a.c < b.c ? -1 : 1));
  const out = new Map<string, string>();
  let acc = 0;
  let start = 0;
  splits.forEach((s, i) => {
    acc += ratios[i] as number;
    const end = i === splits.length - 1 ? ordered.length : Math.round(acc * ordered.length);
    for (let j = start; j < end; j++) out.set((ordered[j] as { c: string }).c, s);
    start = end;
  });
  return out;
}

/** Parameters of {@link categoricalRatioSplit}. */
export const categoricalRatioSplitParams = z
  .object({
    column: z.string(),
    ratios: ratiosParam,
    categories: z.array(z.string()).min(1).optional(),
    unseen: unseenParam,
    seed: seedParam,
    order: orderParam,
    from: fromParam,
    shards: shardsParam,
  })
  .strict();

/** Whole categories of a string column to splits by ratio (see the module comment). */
export const categoricalRatioSplit = step({
  name: "categorical_ratio_split",
  description: "split whole categories of a string column by ratio (group split)",
  version: "1",
  inputs: { dataset: dataset() },
  outputs: { dataset: dataset() },
  params: categoricalRatioSplitParams,
  run: async (ctx, { dataset: data }, p) => {
    requireCategorical(data, p.column);
    const iv = intervalsOf(p.ratios, p.order);
    const seed = p.seed ?? ctx.seed;
    const listed = p.categories ? assignCategories(p.categories, iv.splits, iv.ratios, seed) : undefined;
    // A named unseen split that is not one of the ratio splits comes last.
    const splits = p.categories ? withUnseen(iv.splits, p.unseen) : iv.splits;
    const memo = new Map<string, string>();
    const out = await writeSplits(ctx, data, {
      method: "categorical_ratio",
      splits,
      shards: shardsFor(splits, p.shards),
      from: inputSplits(data, p.from),
      details: { column: p.column, ratios: p.ratios, seed, categories: p.categories ?? null, unseen: p.unseen, ...(listed ? { assignment: Object.fromEntries([...listed].sort()) } : {}) },
      assign: (ex) => {
        const v = categoryValue(ex, p.column);
        if (listed) {
          const t = v === null ? undefined : listed.get(v);
          return t ?? unseenTarget(p.unseen, p.column, v);
        }
        const key = v ?? "";
        let t = memo.get(key);
        if (t === undefined) {
          t = pickInterval(iv, hashFraction(utf8Bytes(key), seed));
          if (memo.size < 1_000_000) memo.set(key, t);
        }
        return t;
      },
      category: (ex) => categoryValue(ex, p.column),
    });
    return { dataset: out };
  },
});
