/**
 * `ratio_split`: rows to named splits by ratio (`{ train: 0.7, eval: 0.2, test: 0.1 }`), by a seeded hash of a
 * key column (or of the whole row), so a row lands in the same split on every rerun, shard layout and machine.
 * With `exact: true`, a first pass sorts the rows' hash values so each split gets exactly its share (rounded);
 * otherwise each row is placed on its own (one pass; shares are then close to the ratios, not exact).
 *
 * @example
 * ```ts
 * const { dataset } = ratioSplit({ dataset: raw }, { params: { ratios: { train: 0.7, eval: 0.2, test: 0.1 }, key: "id" } });
 * ```
 * @module
 */
import { z } from "zod";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/index.js";
import { exactThresholds, pickByThresholds } from "./exact.js";
import { fromParam, intervalsOf, keyParam, orderParam, pickInterval, ratiosParam, seedParam, shardsFor, shardsParam } from "./params.js";
import { keyList, rowHasher } from "./row-hash.js";
import { inputSplits, requireColumns, scanRows, writeSplits } from "./run-split.js";

/** Parameters of {@link ratioSplit}. */
export const ratioSplitParams = z
  .object({
    ratios: ratiosParam,
    key: keyParam,
    seed: seedParam,
    exact: z.boolean().default(false),
    order: orderParam,
    from: fromParam,
    shards: shardsParam,
  })
  .strict();

/** Rows to splits by ratio, by a seeded hash of a key or the whole row (see the module comment). */
export const ratioSplit = step({
  name: "ratio_split",
  description: "split rows by ratio, by a seeded hash of a key (or the whole row)",
  version: "1",
  inputs: { dataset: dataset() },
  outputs: { dataset: dataset() },
  params: ratioSplitParams,
  run: async (ctx, { dataset: data }, p) => {
    const iv = intervalsOf(p.ratios, p.order);
    const key = keyList(p.key);
    requireColumns(data, key, "key column");
    const from = inputSplits(data, p.from);
    const seed = p.seed ?? ctx.seed;
    const hash = rowHasher(key, seed);
    let assign = (u: number): string => pickInterval(iv, u);
    if (p.exact) {
      const values: number[] = [];
      await scanRows(ctx, data, from, (ex) => void values.push(hash(ex)));
      const t = exactThresholds(Float64Array.from(values), iv.ratios);
      assign = (u) => pickByThresholds(iv.splits, t, u);
    }
    const out = await writeSplits(ctx, data, {
      method: "ratio",
      splits: iv.splits,
      shards: shardsFor(iv.splits, p.shards),
      from,
      details: { seed, ratios: p.ratios, key: key ?? null, exact: p.exact, hash: "murmur3_x86_128/64" },
      assign: (ex) => assign(hash(ex)),
    });
    return { dataset: out };
  },
});
