/**
 * Parameters shared by the split steps, and their checks (ratios, split names and order).
 * @module
 */
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { checkSplitName } from "../../data/dataset/manifest.js";

const count = z.number().int().min(1);

/** Output shards: one number for every split, or per split (default 1). */
export const shardsParam = z.union([count, z.record(z.string(), count)]).default(1);
/** Input splits to read (default: all of them, in order). */
export const fromParam = z.array(z.string()).min(1).optional();
/** Hash seed, 32 bits (default: the step's seed, derived from the run's seed and the step name). */
export const seedParam = z.number().int().min(-2147483648).max(4294967295).optional();
/** Key column(s) hashed for assignment (default: the whole row). */
export const keyParam = z.union([z.string(), z.array(z.string()).min(1)]).optional();
/** Ratio per split name. */
export const ratiosParam = z.record(z.string(), z.number());
/** Output split order (default: train, training, validation, valid, val, eval, dev, test, holdout, then by name). */
export const orderParam = z.array(z.string()).min(1).optional();
/** What to do with rows whose category is not listed: drop them, fail, or send them to a named split. */
export const unseenParam = z.union([z.enum(["skip", "error"]), z.object({ split: z.string() }).strict()]).default("skip");

/** Unseen-category policy. */
export type UnseenPolicy = z.output<typeof unseenParam>;

const CONVENTIONAL = ["train", "training", "validation", "valid", "val", "eval", "evaluation", "dev", "test", "testing", "holdout"];

/** Split names in output order: `order` when given (it must name each exactly once), else conventional order. */
export function orderSplits(names: readonly string[], order?: readonly string[]): string[] {
  for (const n of names) checkSplitName(n);
  if (order) {
    const a = [...order].sort();
    const b = [...new Set(names)].sort();
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      throw new KoanError("PARAM_INVALID", `order [${order.join(", ")}] must list exactly the splits [${b.join(", ")}]`);
    }
    return [...order];
  }
  const rank = (n: string): number => {
    const i = CONVENTIONAL.indexOf(n.toLowerCase());
    return i < 0 ? CONVENTIONAL.length : i;
  };
  return [...new Set(names)].sort((x, y) => rank(x) - rank(y) || (x < y ? -1 : x > y ? 1 : 0));
}

/** Cumulative ratio boundaries, in split order. */
export interface Intervals {
  readonly splits: readonly string[];
  /** `upper[i]`: the cumulative ratio up to and including split i (the last is exactly 1). */
  readonly upper: readonly number[];
  readonly ratios: readonly number[];
}

/**
 * Check a ratio map (every ratio ≥ 0, sum 1 within 1e-6) and order it.
 * @throws KoanError `PARAM_INVALID` naming the problem.
 */
export function intervalsOf(ratios: Readonly<Record<string, number>>, order?: readonly string[]): Intervals {
  const names = Object.keys(ratios);
  if (names.length === 0) throw new KoanError("PARAM_INVALID", "ratios are empty", { hint: "e.g. { train: 0.8, eval: 0.2 }" });
  for (const [name, r] of Object.entries(ratios)) {
    if (!Number.isFinite(r) || r < 0) throw new KoanError("PARAM_INVALID", `ratio of split "${name}" is ${r}; ratios must be ≥ 0`);
  }
  const sum = names.reduce((s, n) => s + (ratios[n] as number), 0);
  if (Math.abs(sum - 1) > 1e-6) {
    throw new KoanError("PARAM_INVALID", `ratios sum to ${Number(sum.toPrecision(12))}, not 1 (${names.map((n) => `${n}: ${ratios[n]}`).join(", ")})`, { hint: "make them add up to 1" });
  }
  const splits = orderSplits(names, order);
  const upper: number[] = [];
  let acc = 0;
  for (const s of splits) {
    acc += ratios[s] as number;
    upper.push(acc);
  }
  upper[upper.length - 1] = 1;
  return { splits, upper, ratios: splits.map((s) => ratios[s] as number) };
}

/** The split whose interval holds `u` ∈ [0, 1). */
export function pickInterval(iv: Intervals, u: number): string {
  const { upper, splits } = iv;
  for (let i = 0; i < upper.length - 1; i++) if (u < (upper[i] as number)) return splits[i] as string;
  return splits[splits.length - 1] as string;
}

/** Shard counts per output split. */
export function shardsFor(splits: readonly string[], shards: number | Readonly<Record<string, number>>): Record<string, number> {
  if (typeof shards === "number") return Object.fromEntries(splits.map((s) => [s, shards]));
  for (const k of Object.keys(shards)) if (!splits.includes(k)) throw new KoanError("PARAM_INVALID", `shards names split "${k}", which this split step does not produce`, { hint: `splits: ${splits.join(", ")}` });
  return Object.fromEntries(splits.map((s) => [s, shards[s] ?? 1]));
}
