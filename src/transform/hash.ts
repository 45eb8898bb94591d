/**
 * The one fixed hash of splitting and preprocessing: **MurmurHash3 x86_128** (Austin Appleby's public-domain
 * reference, `MurmurHash3_x86_128`), of which Koan uses the first 8 output bytes read as a little-endian unsigned
 * 64-bit integer (`h1 + 2^32 · h2`). It uses 32-bit arithmetic only, so every machine and JavaScript engine gives
 * the same value, and it is checked against SMHasher's verification value (`0xB3ECE62A`) in the tests.
 *
 * Uses: ratio splits (`u = hash64 / 2^64` compared with cumulative ratios; the seed is the split seed), hash
 * buckets and feature crosses (`hash64 mod N`, seed 0, over the value's UTF-8 bytes).
 * @module
 */

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

const word = (d: Uint8Array, i: number): number => d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24);

/**
 * MurmurHash3 x86_128 of `data` with a 32-bit `seed`: the four 32-bit output words `[h1, h2, h3, h4]` (unsigned).
 * @example
 * murmur3x86_128(new Uint8Array(0), 0) // [0, 0, 0, 0]
 */
export function murmur3x86_128(data: Uint8Array, seed: number): [number, number, number, number] {
  const len = data.length;
  const blocks = len - (len & 15);
  let h1 = seed | 0;
  let h2 = seed | 0;
  let h3 = seed | 0;
  let h4 = seed | 0;
  for (let i = 0; i < blocks; i += 16) {
    let k1 = word(data, i);
    let k2 = word(data, i + 4);
    let k3 = word(data, i + 8);
    let k4 = word(data, i + 12);
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  const rest = len & 15;
  if (rest > 0) {
    const k = [0, 0, 0, 0];
    for (let j = 0; j < rest; j++) k[j >> 2] ^= data[blocks + j] << (8 * (j & 3));
    if (rest > 12) h4 ^= Math.imul(rotl(Math.imul(k[3], C4), 18), C1);
    if (rest > 8) h3 ^= Math.imul(rotl(Math.imul(k[2], C3), 17), C4);
    if (rest > 4) h2 ^= Math.imul(rotl(Math.imul(k[1], C2), 16), C3);
    h1 ^= Math.imul(rotl(Math.imul(k[0], C1), 15), C2);
  }
  h1 ^= len;
  h2 ^= len;
  h3 ^= len;
  h4 ^= len;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

/** The two 32-bit halves of Koan's 64-bit hash: `value = lo + 2^32 · hi`. */
export interface Hash64 {
  readonly lo: number;
  readonly hi: number;
}

/** Koan's 64-bit hash of bytes: the first 8 bytes of MurmurHash3 x86_128 (little-endian). */
export function hash64(data: Uint8Array, seed = 0): Hash64 {
  const [lo, hi] = murmur3x86_128(data, seed);
  return { lo, hi };
}

/** The 64-bit hash as a decimal string (exact), for documentation and tests. */
export function hash64String(h: Hash64): string {
  return ((BigInt(h.hi) << 32n) | BigInt(h.lo)).toString();
}

/**
 * `hash64 / 2^64`: a number in [0, 1) (the low bits beyond double precision are dropped, which never moves a
 * value across a ratio boundary given with fewer than 15 significant digits).
 */
export function hashFraction(data: Uint8Array, seed: number): number {
  const [lo, hi] = murmur3x86_128(data, seed);
  return hi / 4294967296 + lo / 18446744073709551616;
}

/** `hash64 mod n` (exact, for 1 ≤ n ≤ 2^31). */
export function hashMod(h: Hash64, n: number): number {
  let r = h.hi % n;
  r = (r * 65536) % n;
  r = (r * 65536) % n;
  return (r + (h.lo % n)) % n;
}

const utf8 = new TextEncoder();

/**
 * The hash bucket of a string (UTF-8 bytes, seed 0): `hash64 mod buckets`.
 * @example
 * hashBucket("Torgersen", 10) // the same on every machine
 */
export function hashBucket(value: string, buckets: number): number {
  return hashMod(hash64(utf8.encode(value), 0), buckets);
}
