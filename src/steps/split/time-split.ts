/**
 * `time_split`: order rows by a timestamp column and cut, so that no row of an earlier split is later than any
 * row of a later split (no future rows in train). Cut at given times (`at`: split i holds `at[i-1] ≤ t < at[i]`)
 * or at fractions of the rows (`fractions`): a first pass reads only the timestamps (8 bytes per row, sorted;
 * beyond 20 million rows a KLL sketch gives the cut points in bounded memory), a second assigns. Rows with equal
 * timestamps always land in the same split, so fractions are met up to ties.
 *
 * @example
 * ```ts
 * const { dataset } = timeSplit({ dataset: weather }, {
 *   params: { column: "date", splits: ["train", "eval", "test"], at: ["2014-01-01", "2015-01-01"] },
 * });
 * ```
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { step } from "../../core/step.js";
import { dataset } from "../../data/dataset/index.js";
import type { Example, FeatureKind } from "../../data/example/types.js";
import { KllSketch } from "../../data/stats/kll.js";
import { exampleScalar } from "../../transform/values.js";
import { fromParam, shardsFor, shardsParam } from "./params.js";
import { inputSplits, requireColumns, scanRows, writeSplits } from "./run-split.js";
import { parseTime, timeParam } from "./time.js";

/** Rows whose timestamps are sorted exactly; beyond, a KLL sketch finds the cut points. */
export const EXACT_TIME_LIMIT = 20_000_000;

/** Parameters of {@link timeSplit}. */
export const timeSplitParams = z
  .object({
    column: z.string(),
    /** Split names, earliest first. */
    splits: z.array(z.string()).min(2),
    /** Cut times (one fewer than splits, increasing): numbers for numeric columns, ISO dates for string columns. */
    at: z.array(z.union([z.number(), z.string()])).optional(),
    /** Share of rows per split (same length as splits, summing to 1). */
    fractions: z.array(z.number()).optional(),
    /** Rows without a timestamp: fail (default), drop, or send to a named split. */
    missing: z.union([z.enum(["error", "skip"]), z.object({ split: z.string() }).strict()]).default("error"),
    from: fromParam,
    shards: shardsParam,
  })
  .strict();

function readTime(ex: Example, column: string, kind: FeatureKind): number | null {
  const v = exampleScalar(ex, column, kind);
  if (v === null || typeof v === "number") return v;
  const t = parseTime(v);
  if (Number.isNaN(t)) {
    throw new KoanError("DATA_INVALID", `column "${column}": ${JSON.stringify(v)} is not an ISO 8601 date`, { hint: 'dates look like "2014-01-31" or "2014-01-31T12:00:00Z"', details: { feature: column } });
  }
  return t;
}

/** Rows to splits by a timestamp column, cut at times or fractions (see the module comment). */
export const timeSplit = step({
  name: "time_split",
  description: "split rows by a timestamp column at given times or fractions (no future rows in earlier splits)",
  version: "1",
  inputs: { dataset: dataset() },
  outputs: { dataset: dataset() },
  params: timeSplitParams,
  run: async (ctx, { dataset: data }, p) => {
    requireColumns(data, [p.column], "time column");
    const kind = data.features[p.column] as FeatureKind;
    const names = p.splits;
    if (new Set(names).size !== names.length) throw new KoanError("PARAM_INVALID", `splits name a split twice: ${names.join(", ")}`);
    if ((p.at === undefined) === (p.fractions === undefined)) throw new KoanError("PARAM_INVALID", "give exactly one of at (cut times) or fractions");
    const from = inputSplits(data, p.from);
    let cuts: number[];
    if (p.at) {
      if (p.at.length !== names.length - 1) throw new KoanError("PARAM_INVALID", `${names.length} splits need ${names.length - 1} cut times in at, got ${p.at.length}`);
      cuts = p.at.map((v) => timeParam(v, kind, p.column));
      for (let i = 1; i < cuts.length; i++) if (!((cuts[i] as number) > (cuts[i - 1] as number))) throw new KoanError("PARAM_INVALID", `cut times must increase: ${JSON.stringify(p.at[i - 1])} is not before ${JSON.stringify(p.at[i])}`);
    } else {
      const fr = p.fractions as number[];
      if (fr.length !== names.length) throw new KoanError("PARAM_INVALID", `${names.length} splits need ${names.length} fractions, got ${fr.length}`);
      if (fr.some((f) => !Number.isFinite(f) || f < 0)) throw new KoanError("PARAM_INVALID", `fractions must be ≥ 0, got ${fr.join(", ")}`);
      const sum = fr.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > 1e-6) throw new KoanError("PARAM_INVALID", `fractions sum to ${Number(sum.toPrecision(12))}, not 1`, { hint: "make them add up to 1" });
      const total = from.reduce((n, s) => n + data.rowCount(s), 0);
      const exact = total <= EXACT_TIME_LIMIT;
      const times = exact ? new Float64Array(total) : undefined;
      const kll = exact ? undefined : new KllSketch(4096);
      let m = 0;
      await scanRows(ctx, data, from, (ex) => {
        const t = readTime(ex, p.column, kind);
        if (t === null) return;
        if (times) times[m] = t;
        else kll?.add(t);
        m++;
      });
      const sorted = times?.subarray(0, m).sort();
      cuts = [];
      let acc = 0;
      for (let i = 0; i < names.length - 1; i++) {
        acc += fr[i] as number;
        const c = Math.round(acc * m);
        cuts.push(c >= m ? Number.POSITIVE_INFINITY : sorted ? (sorted[c] as number) : (kll as KllSketch).valueAtRank(c + 1));
      }
    }
    const splits = typeof p.missing === "object" && !names.includes(p.missing.split) ? [...names, p.missing.split] : [...names];
    const iso = kind === "bytes" ? cuts.map((c) => (Number.isFinite(c) ? new Date(c).toISOString() : null)) : null;
    ctx.log.info(`time split on "${p.column}": cuts at ${(iso ?? cuts).map(String).join(", ")}`);
    const out = await writeSplits(ctx, data, {
      method: "time",
      splits,
      shards: shardsFor(splits, p.shards),
      from,
      details: { column: p.column, cuts: cuts.map((c) => (Number.isFinite(c) ? c : null)), ...(iso ? { cutsIso: iso } : {}), at: p.at ?? null, fractions: p.fractions ?? null },
      assign: (ex) => {
        const t = readTime(ex, p.column, kind);
        if (t === null) {
          if (p.missing === "skip") return null;
          if (p.missing === "error") throw new KoanError("DATA_INVALID", `column "${p.column}" is missing`, { hint: 'set missing: "skip" or { split: "..." }', details: { feature: p.column } });
          return p.missing.split;
        }
        for (let i = 0; i < cuts.length; i++) if (t < (cuts[i] as number)) return names[i] as string;
        return names[names.length - 1] as string;
      },
    });
    return { dataset: out };
  },
});
