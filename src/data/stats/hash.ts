/**
 * MurmurHash3 (x86, 32-bit) over the bytes of a "binary string" (one char per byte, codes 0..255): a fixed,
 * seedable hash so that sketches built on different machines agree.
 * @module
 */

/**
 * Hash a binary string (every char code must be < 256) with the given 32-bit seed; returns an unsigned 32-bit int.
 * @example
 * murmur3Binary("", 0) // 0
 */
export function murmur3Binary(key: string, seed: number): number {
  murmur3BinaryPair(key, seed, seed, single);
  return (single[0] as number) >>> 0;
}

const single = new Int32Array(2);

/**
 * {@link murmur3Binary} of one key under two seeds in a single pass (the block mixing does not depend on the
 * seed): writes `murmur3Binary(key, seedA) | 0` to `out[0]` and `murmur3Binary(key, seedB) | 0` to `out[1]`.
 * Results go to an Int32Array rather than being returned so that hot callers get them without boxing.
 * @example
 * const out = new Int32Array(2);
 * murmur3BinaryPair("hello", 0, 1, out); // out[0] === (murmur3Binary("hello", 0) | 0)
 */
export function murmur3BinaryPair(key: string, seedA: number, seedB: number, out: Int32Array): void {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const len = key.length;
  const blocks = len & ~3;
  let a = seedA | 0;
  let b = seedB | 0;
  for (let i = 0; i < blocks; i += 4) {
    let k =
      (key.charCodeAt(i) & 0xff) |
      ((key.charCodeAt(i + 1) & 0xff) << 8) |
      ((key.charCodeAt(i + 2) & 0xff) << 16) |
      ((key.charCodeAt(i + 3) & 0xff) << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    a ^= k;
    a = (a << 13) | (a >>> 19);
    a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    b ^= k;
    b = (b << 13) | (b >>> 19);
    b = (Math.imul(b, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= (key.charCodeAt(blocks + 2) & 0xff) << 16;
    if (tail >= 2) k ^= (key.charCodeAt(blocks + 1) & 0xff) << 8;
    k ^= key.charCodeAt(blocks) & 0xff;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    a ^= k;
    b ^= k;
  }
  out[0] = fmix32(a ^ len);
  out[1] = fmix32(b ^ len);
}

/** MurmurHash3's 32-bit finalizer. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
