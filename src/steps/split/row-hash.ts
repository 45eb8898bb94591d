/**
 * Deterministic per-row assignment values: `u = hash64(seed, canonical bytes) / 2^64` ∈ [0, 1), where the
 * canonical bytes are the deterministic `tf.train.Example` encoding (features sorted by name) of the row
 * restricted to the key columns, or of the whole row without a key, and the hash is Koan's fixed hash
 * (MurmurHash3 x86_128, first 8 bytes, seeded with the split seed: `src/transform/hash.ts`). The same row gets
 * the same value on every run, machine and shard layout.
 * @module
 */
import { encodeExample } from "../../data/example/encode.js";
import type { Example, Feature } from "../../data/example/types.js";
import { hashFraction } from "../../transform/hash.js";

/** A function from a row to its assignment value in [0, 1). */
export type RowHasher = (example: Example) => number;

/** The hasher for a key (one or more columns; none: the whole row) and a seed. */
export function rowHasher(key: readonly string[] | undefined, seed: number): RowHasher {
  if (!key || key.length === 0) return (ex) => hashFraction(encodeExample(ex), seed);
  return (ex) => {
    const sub = new Map<string, Feature>();
    for (const k of key) {
      const f = ex.get(k);
      if (f) sub.set(k, f);
    }
    return hashFraction(encodeExample(sub), seed);
  };
}

/** A key parameter as a list. */
export function keyList(key: string | readonly string[] | undefined): string[] | undefined {
  return key === undefined ? undefined : typeof key === "string" ? [key] : [...key];
}
