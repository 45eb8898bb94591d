/**
 * Deterministic randomness inside TF.js. TF.js draws the seeds of unseeded random ops (dropout masks, initializers
 * without a seed) from `Math.random`. Koan replaces `Math.random` with a seeded generator only while a
 * synchronous piece of TF.js work runs (building a model, one training step), so nothing else in the process can
 * draw from it in between and a rerun with the same seed makes the same draws.
 * @module
 */
import type { Rng } from "../core/rng.js";

/**
 * Run `fn` synchronously with `Math.random` drawing from `rng`; the original is restored afterwards, even on
 * throw. A function returning a promise is refused (the generator would leak into other code after its first
 * `await`).
 * @example
 * ```ts
 * const model = withSeededRandom(rng, () => modelFn(hparams, spec));
 * ```
 */
export function withSeededRandom<T>(rng: Rng, fn: () => T): T {
  const original = Math.random;
  Math.random = () => rng.next();
  try {
    return fn();
  } finally {
    Math.random = original;
  }
}

/** A 31-bit seed for a TF.js initializer or layer, drawn from `rng`. */
export function drawSeed(rng: Rng): number {
  return rng.int(0, 0x7fffffff);
}
