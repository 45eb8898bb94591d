/**
 * HyperLogLog distinct-count sketch (Flajolet et al. 2007) with the small-range (linear counting) correction.
 * Hashing is MurmurHash3 with two fixed seeds: one hash picks the register, the other gives the rank, so the
 * estimate stays sound far beyond 2^32 distinct values. Deterministic and mergeable (register-wise max).
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { murmur3BinaryPair } from "./hash.js";

const SEED_INDEX = 0x2f1c_a9e3;
const SEED_RANK = 0x5bd1_e995;

/**
 * The two hashes of a binary string that the sketch uses, as signed 32-bit ints, in one pass over its chars:
 * `out[0]`, whose top `precision` bits pick the register, and `out[1]`, whose leading zeros give the rank.
 * Callers that hash a value anyway (e.g. for a hash table) can keep them and use {@link HyperLogLog.addHashes}.
 * @example
 * const out = new Int32Array(2);
 * hllHashes("a", out); h.addHashes(out[0], out[1]); // same as h.add("a")
 */
export function hllHashes(key: string, out: Int32Array): void {
  murmur3BinaryPair(key, SEED_INDEX, SEED_RANK, out);
}

/** Scratch output of {@link hllHashes} for {@link HyperLogLog.add}. */
const pair = new Int32Array(2);

/** JSON form of a {@link HyperLogLog}. */
export interface HllState {
  readonly precision: number;
  /** The registers, base64. */
  readonly registers: string;
}

/**
 * Approximate distinct counter over binary strings (one char per byte).
 * @example
 * const h = new HyperLogLog(14);
 * for (let i = 0; i < 1000; i++) h.add(String(i));
 * Math.round(h.estimate()); // close to 1000 (standard error 1.04/sqrt(2^14) ≈ 0.8%)
 */
export class HyperLogLog {
  readonly precision: number;
  private readonly registers: Uint8Array;

  constructor(precision: number) {
    if (!Number.isInteger(precision) || precision < 4 || precision > 18) {
      throw new KoanError("DATA_INVALID", `HyperLogLog precision must be an integer in [4, 18], got ${precision}`);
    }
    this.precision = precision;
    this.registers = new Uint8Array(1 << precision);
  }

  /** Add one value (a binary string). */
  add(key: string): void {
    hllHashes(key, pair);
    this.addHashes(pair[0], pair[1]);
  }

  /** Add one value given by its two {@link hllHashes} (signed or unsigned 32-bit ints). */
  addHashes(indexHash: number, rankHash: number): void {
    const index = indexHash >>> (32 - this.precision);
    const rank = Math.clz32(rankHash) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  /** Fold another sketch of the same precision into this one. */
  merge(other: HyperLogLog): void {
    if (other.precision !== this.precision) {
      throw new KoanError("DATA_INVALID", `cannot merge HyperLogLog sketches of precision ${this.precision} and ${other.precision}`);
    }
    for (let i = 0; i < this.registers.length; i++) {
      if (other.registers[i] > this.registers[i]) this.registers[i] = other.registers[i];
    }
  }

  /** The estimated number of distinct values added. */
  estimate(): number {
    const m = this.registers.length;
    let sum = 0;
    let zeros = 0;
    for (const r of this.registers) {
      sum += 2 ** -r;
      if (r === 0) zeros++;
    }
    const alpha = m === 16 ? 0.673 : m === 32 ? 0.697 : m === 64 ? 0.709 : 0.7213 / (1 + 1.079 / m);
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }

  /** A deep copy. */
  clone(): HyperLogLog {
    return HyperLogLog.fromJSON(this.toJSON());
  }

  /** Plain-data state for JSON. */
  toJSON(): HllState {
    return { precision: this.precision, registers: Buffer.from(this.registers).toString("base64") };
  }

  /**
   * Rebuild from {@link HyperLogLog.toJSON} output.
   * @throws KoanError `FORMAT_INVALID` when the registers do not fit the precision.
   */
  static fromJSON(state: HllState): HyperLogLog {
    if (typeof state !== "object" || state === null || typeof state.registers !== "string") {
      throw new KoanError("FORMAT_INVALID", "invalid HyperLogLog state: expected { precision, registers }");
    }
    const h = new HyperLogLog(state.precision);
    const bytes = Buffer.from(state.registers, "base64");
    if (bytes.length !== h.registers.length || bytes.some((r) => r > 33)) {
      throw new KoanError("FORMAT_INVALID", `invalid HyperLogLog state: expected ${h.registers.length} registers of at most 33`);
    }
    h.registers.set(bytes);
    return h;
  }
}
