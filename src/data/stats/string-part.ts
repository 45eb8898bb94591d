/**
 * The string part of a feature's streaming state: byte lengths, invalid UTF-8 count and value counts.
 * @module
 */
import { isValidUtf8, isValidUtf8Binary, toBinaryString } from "./bytes.js";
import type { ResolvedStatsOptions } from "./options.js";
import { ValueCounter, type ValueCounterState } from "./value-counter.js";

/** JSON form of the string part of a feature's state. */
export interface StringState {
  readonly totalBytes: number;
  readonly minBytes: number | null;
  readonly maxBytes: number | null;
  readonly invalidUtf8: number;
  readonly values: ValueCounterState;
}

/** Mutable string state of one feature. */
export class StringPart {
  totalBytes = 0;
  minBytes = Number.POSITIVE_INFINITY;
  maxBytes = Number.NEGATIVE_INFINITY;
  invalidUtf8 = 0;
  values: ValueCounter;

  constructor(maxExact: number, hllPrecision: number) {
    this.values = new ValueCounter(maxExact, hllPrecision);
  }

  add(v: Uint8Array): void {
    const n = v.byteLength;
    this.totalBytes += n;
    if (n < this.minBytes) this.minBytes = n;
    if (n > this.maxBytes) this.maxBytes = n;
    if (!isValidUtf8(v)) this.invalidUtf8++;
    this.values.add(toBinaryString(v));
  }

  /** Add one value given as its binary string (one char per byte); `utf8` = known to be well-formed UTF-8. */
  addKey(key: string, utf8: boolean): void {
    const n = key.length;
    this.totalBytes += n;
    if (n < this.minBytes) this.minBytes = n;
    if (n > this.maxBytes) this.maxBytes = n;
    if (!utf8 && !isValidUtf8Binary(key)) this.invalidUtf8++;
    this.values.add(key);
  }

  merge(o: StringPart): void {
    this.totalBytes += o.totalBytes;
    if (o.minBytes < this.minBytes) this.minBytes = o.minBytes;
    if (o.maxBytes > this.maxBytes) this.maxBytes = o.maxBytes;
    this.invalidUtf8 += o.invalidUtf8;
    this.values.merge(o.values);
  }

  toJSON(): StringState {
    const seen = Number.isFinite(this.minBytes);
    return {
      totalBytes: this.totalBytes,
      minBytes: seen ? this.minBytes : null,
      maxBytes: seen ? this.maxBytes : null,
      invalidUtf8: this.invalidUtf8,
      values: this.values.toJSON(),
    };
  }

  static fromJSON(s: StringState, options: ResolvedStatsOptions): StringPart {
    const p = new StringPart(options.maxExactDistinct, options.hllPrecision);
    p.totalBytes = s.totalBytes;
    p.minBytes = s.minBytes ?? Number.POSITIVE_INFINITY;
    p.maxBytes = s.maxBytes ?? Number.NEGATIVE_INFINITY;
    p.invalidUtf8 = s.invalidUtf8;
    p.values = ValueCounter.fromJSON(s.values, options.maxExactDistinct, options.hllPrecision);
    return p;
  }
}

