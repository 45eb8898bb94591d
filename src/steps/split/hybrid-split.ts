/**
 * `hybrid_split`: categorical first, then ratio within each category group. Categories listed in `domains` go
 * wholesale to their split (e.g. hold out one region as `test`); every other category's rows are split by
 * `ratios` within that category (stratified), by a seeded hash of a key column or the whole row. With `exact`
 * (the default) a first pass sorts each category's hash values so every category is split in exactly its
 * rounded shares (memory: 8 bytes per row); `exact: false` places each row on its own in one pass.
 *
 * @example
 * ```ts
 * const { dataset } = hybridSplit({ dataset: raw }, {
 *   params: { column: "Island", domains: { holdout: ["Torgersen"] }, ratios: { train: 0.8, eval: 0.2 } },
 * });
 * ```
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/index.js";
import { exactThresholds, pickByThresholds } from "./exact.js";
import { fromParam, intervalsOf, keyParam, orderParam, pickInterval, ratiosParam, seedParam, shardsFor, shardsParam } from "./params.js";
import { keyList, rowHasher } from "./row-hash.js";
import { categoryValue, inputSplits, requireCategorical, requireColumns, scanRows, writeSplits } from "./run-split.js";

/** Parameters of {@link hybridSplit}. */
export const hybridSplitParams = z
  .object({
    column: z.string(),
    ratios: ratiosParam,
    domains: z.record(z.string(), z.array(z.string())).default({}),
    key: keyParam,
    seed: seedParam,
    exact: z.boolean().default(true),
    order: orderParam,
    from: fromParam,
    shards: shardsParam,
  })
  .strict();

const MISSING = "\u0000(missing)";

/** Categories held out by domain, then a ratio split within each remaining category (see the module comment). */
export const hybridSplit = step({
  name: "hybrid_split",
  description: "categories to splits by domain, then a ratio split within each remaining category",
  version: "1",
  inputs: { dataset: dataset() },
  outputs: { dataset: dataset() },
  params: hybridSplitParams,
  run: async (ctx, { dataset: data }, p) => {
    requireCategorical(data, p.column);
    const key = keyList(p.key);
    requireColumns(data, key, "key column");
    const iv = intervalsOf(p.ratios, p.order);
    const held = new Map<string, string>();
    for (const [split, values] of Object.entries(p.domains)) {
      for (const v of values) {
        const prior = held.get(v);
        if (prior !== undefined && prior !== split) throw new KoanError("PARAM_INVALID", `category ${JSON.stringify(v)} is listed for two splits ("${prior}" and "${split}")`);
        held.set(v, split);
      }
    }
    const splits = [...iv.splits, ...Object.keys(p.domains).filter((s) => !iv.splits.includes(s)).sort()];
    const from = inputSplits(data, p.from);
    const seed = p.seed ?? ctx.seed;
    const hash = rowHasher(key, seed);
    let thresholds: Map<string, number[]> | undefined;
    if (p.exact) {
      const groups = new Map<string, number[]>();
      await scanRows(ctx, data, from, (ex) => {
        const c = categoryValue(ex, p.column);
        if (c !== null && held.has(c)) return;
        const g = c ?? MISSING;
        let list = groups.get(g);
        if (!list) groups.set(g, (list = []));
        list.push(hash(ex));
      });
      thresholds = new Map([...groups].map(([g, list]) => [g, exactThresholds(Float64Array.from(list), iv.ratios)]));
    }
    const out = await writeSplits(ctx, data, {
      method: "hybrid",
      splits,
      shards: shardsFor(splits, p.shards),
      from,
      details: { column: p.column, ratios: p.ratios, domains: p.domains, seed, key: key ?? null, exact: p.exact, hash: "murmur3_x86_128/64" },
      assign: (ex) => {
        const c = categoryValue(ex, p.column);
        const h = c === null ? undefined : held.get(c);
        if (h !== undefined) return h;
        const u = hash(ex);
        const t = thresholds?.get(c ?? MISSING);
        return t ? pickByThresholds(iv.splits, t, u) : pickInterval(iv, u);
      },
      category: (ex) => categoryValue(ex, p.column),
    });
    return { dataset: out };
  },
});
