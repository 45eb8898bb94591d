/**
 * A seeded random number generator for step code. Steps must use `ctx.rng` (never `Math.random`) so that a rerun
 * with the same seed makes the same choices.
 * @module
 */
import { xoroshiro128plus } from "pure-rand/generator/XoroShiro";
import type { RandomGenerator } from "pure-rand/types/RandomGenerator";
import { sha256 } from "./hash.js";

/** Seeded random numbers (xoroshiro128+, from `pure-rand`). */
export interface Rng {
  /** The 32-bit seed this generator started from. */
  readonly seed: number;
  /** A float in [0, 1) with 53 random bits. */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** A standard normal sample (Box–Muller). */
  normal(): number;
  /** Shuffle an array in place (Fisher–Yates) and return it. */
  shuffle<T>(items: T[]): T[];
  /** A new independent generator derived from this one's seed and a label. */
  fork(label: string): Rng;
}

/** Derive a 32-bit seed from a base seed and labels (e.g. the step name), stable across machines. */
export function deriveSeed(base: number, ...labels: string[]): number {
  return Number.parseInt(sha256([String(base), ...labels].join("\0")).slice(0, 8), 16) | 0;
}

/**
 * Create a seeded generator.
 * @example
 * const rng = createRng(42); rng.int(1, 6); // the same on every machine
 */
export function createRng(seed: number): Rng {
  const gen: RandomGenerator = xoroshiro128plus(seed | 0);
  const u32 = (): number => gen.unsafeNext() >>> 0;
  const next = (): number => ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
  let spare: number | undefined;
  return {
    seed: seed | 0,
    next,
    int(min, max) {
      if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) throw new RangeError(`bad range [${min}, ${max}]`);
      return min + Math.floor(next() * (max - min + 1));
    },
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = items[i] as (typeof items)[number];
        items[i] = items[j] as (typeof items)[number];
        items[j] = t;
      }
      return items;
    },
    fork(label) {
      return createRng(deriveSeed(seed, label));
    },
  };
}
