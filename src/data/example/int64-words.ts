/**
 * Access to the 32-bit halves of `BigInt64Array` elements without creating a BigInt per value: the varint
 * codec works on (lo, hi) uint32 pairs, exactly like protobuf's own JavaScript runtime.
 * @module
 */
import { LITTLE_ENDIAN } from "./wire-reader.js";

/** Index of the low half of element `i` in {@link int64Words} is `2 * i + LO_WORD`. */
export const LO_WORD = LITTLE_ENDIAN ? 0 : 1;
/** Index of the high half of element `i` in {@link int64Words} is `2 * i + HI_WORD`. */
export const HI_WORD = 1 - LO_WORD;

/** A uint32 view of `values`: two words per element, in host order (see {@link LO_WORD}, {@link HI_WORD}). */
export function int64Words(values: BigInt64Array): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
}
