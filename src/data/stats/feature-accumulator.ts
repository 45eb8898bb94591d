/**
 * The streaming state of one feature: presence and valency, plus numeric or string value state.
 * Internal to the statistics module; {@link StatisticsAccumulator} is the public face.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { Feature, FeatureKind } from "../example/types.js";
import { KllSketch, type KllState } from "./kll.js";
import { NumericPart, type NumericState } from "./numeric-part.js";
import type { StatsColumn } from "./columns.js";
import type { ResolvedStatsOptions } from "./options.js";
import { StringPart, type StringState } from "./string-part.js";

export type { NumericState } from "./numeric-part.js";
export type { StringState } from "./string-part.js";

/** JSON form of one feature's state. */
export interface FeatureState {
  readonly name: string;
  /** Kind of the values; only binding once `typed` (empty lists carry no real type: TFX writes kind-less ones). */
  readonly kind: FeatureKind;
  /** True once a non-empty value list was seen. */
  readonly typed: boolean;
  readonly numNonMissing: number;
  /** Fewest and most values in one present example (null before any). */
  readonly minNumValues: number | null;
  readonly maxNumValues: number | null;
  readonly totNumValues: number;
  /** Quantile sketch of the number of values per present example. */
  readonly numValues: KllState;
  readonly numeric: NumericState | null;
  readonly strings: StringState | null;
}

/**
 * Streaming state of one feature.
 *
 * The kind is fixed by the first non-empty value list: an empty list says nothing reliable about the type (TFX
 * writes missing values as kind-less features, which decoders give a default kind), so empty lists of any kind
 * only count as presence. Until a value is seen, the kind is that of the first empty list.
 */
export class FeatureAccumulator {
  kind: FeatureKind;
  typed = false;
  numNonMissing = 0;
  minNumValues = Number.POSITIVE_INFINITY;
  maxNumValues = Number.NEGATIVE_INFINITY;
  totNumValues = 0;
  numValues: KllSketch;
  numeric: NumericPart | null = null;
  strings: StringPart | null = null;

  constructor(
    readonly name: string,
    kind: FeatureKind,
    private readonly options: ResolvedStatsOptions,
  ) {
    this.kind = kind;
    this.numValues = new KllSketch(options.quantileSketchK);
    this.setParts(kind);
  }

  /** Record one present feature (once typed, a non-empty list must be of the same kind). */
  add(feature: Feature): void {
    const n = feature.values.length;
    if (n > 0) this.settleKind(feature.kind);
    this.numNonMissing++;
    this.totNumValues += n;
    if (n < this.minNumValues) this.minNumValues = n;
    if (n > this.maxNumValues) this.maxNumValues = n;
    this.numValues.add(n);
    switch (feature.kind) {
      case "bytes":
        for (const v of feature.values) this.strings!.add(v);
        break;
      case "float":
        if (n === 1) this.numeric!.add(feature.values[0] as number);
        else if (n > 1) this.numeric!.addStrided(feature.values, 0, n, 1, null, false); // float32 already
        break;
      case "int64":
        for (let i = 0; i < n; i++) this.numeric!.add(Number(feature.values[i]));
        break;
    }
  }

  /**
   * Record rows `first, first + step, ...` (below `rows`) of a single-valued column: the same state as {@link add}
   * with a one-value feature per row, or an empty one for a NULL (skipped when `emptyListIsMissing`).
   */
  addColumn(column: StatsColumn, rows: number, first: number, step: number): void {
    const skipNull = this.options.emptyListIsMissing;
    const counts = this.numValues;
    // Settle the kind at the first value (throws when the feature already holds values of another kind).
    let settle = !this.typed || this.kind !== column.kind;
    let present = 0;
    let values = 0;
    // The counts of values per row (0 or 1) go to their sketch as runs.
    let run = -1;
    let runLength = 0;
    if (column.kind === "bytes") {
      const keys = column.keys;
      const utf8 = column.utf8;
      for (let r = first; r < rows; r += step) {
        const key = keys[r];
        let c: number;
        if (key === null || key === undefined) {
          if (skipNull) continue;
          c = 0;
        } else {
          if (settle) {
            this.settleKind("bytes");
            settle = false;
          }
          c = 1;
          values++;
          (this.strings as StringPart).addKey(key, utf8);
        }
        present++;
        if (c !== run) {
          if (runLength > 0) counts.addRepeated(run, runLength);
          run = c;
          runLength = 0;
        }
        runLength++;
      }
    } else {
      // Numeric values go to their state in bulk; the counts of values per row (1, or 0 for a counted NULL) go to
      // their sketch as runs, in row order.
      const valid = column.valid;
      let nulls = 0;
      if (valid === null) values = rows > first ? Math.ceil((rows - first) / step) : 0;
      else {
        for (let r = first; r < rows; r += step) {
          if (valid[r] === 1) values++;
          else nulls++;
        }
      }
      if (values > 0 && settle) this.settleKind(column.kind); // before any change: a conflict leaves no trace
      present = values + (skipNull ? 0 : nulls);
      if (valid === null || skipNull || nulls === 0) {
        if (values > 0) counts.addRepeated(1, values);
      } else {
        for (let r = first; r < rows; r += step) {
          const c = valid[r] === 1 ? 1 : 0;
          if (c !== run) {
            if (runLength > 0) counts.addRepeated(run, runLength);
            run = c;
            runLength = 0;
          }
          runLength++;
        }
      }
      if (values > 0) (this.numeric as NumericPart).addStrided(column.values, first, rows, step, valid, column.kind === "float");
    }
    if (runLength > 0) counts.addRepeated(run, runLength);
    if (present === 0) return;
    this.numNonMissing += present;
    this.totNumValues += values;
    const min = values < present ? 0 : 1;
    const max = values > 0 ? 1 : 0;
    if (min < this.minNumValues) this.minNumValues = min;
    if (max > this.maxNumValues) this.maxNumValues = max;
  }

  /** Fold another accumulator of the same feature into this one. */
  merge(o: FeatureAccumulator): void {
    if (o.typed) this.settleKind(o.kind);
    this.numNonMissing += o.numNonMissing;
    this.totNumValues += o.totNumValues;
    if (o.minNumValues < this.minNumValues) this.minNumValues = o.minNumValues;
    if (o.maxNumValues > this.maxNumValues) this.maxNumValues = o.maxNumValues;
    this.numValues.merge(o.numValues);
    if (this.numeric && o.numeric) this.numeric.merge(o.numeric);
    if (this.strings && o.strings) this.strings.merge(o.strings);
  }

  private settleKind(kind: FeatureKind): void {
    if (this.typed) {
      if (kind !== this.kind) throw kindConflict(this.name, this.kind, kind);
      return;
    }
    this.typed = true;
    if (kind !== this.kind) {
      this.kind = kind; // no values were recorded yet: start the value state afresh
      this.setParts(kind);
    }
  }

  private setParts(kind: FeatureKind): void {
    const o = this.options;
    this.strings = kind === "bytes" ? new StringPart(o.maxExactDistinct, o.hllPrecision) : null;
    this.numeric = kind === "bytes" ? null : new NumericPart(o.quantileSketchK);
  }

  toJSON(): FeatureState {
    const seen = this.numNonMissing > 0;
    return {
      name: this.name,
      kind: this.kind,
      typed: this.typed,
      numNonMissing: this.numNonMissing,
      minNumValues: seen ? this.minNumValues : null,
      maxNumValues: seen ? this.maxNumValues : null,
      totNumValues: this.totNumValues,
      numValues: this.numValues.toJSON(),
      numeric: this.numeric ? this.numeric.toJSON() : null,
      strings: this.strings ? this.strings.toJSON() : null,
    };
  }

  static fromJSON(s: FeatureState, options: ResolvedStatsOptions): FeatureAccumulator {
    const f = new FeatureAccumulator(s.name, s.kind, options);
    f.typed = s.typed;
    f.numNonMissing = s.numNonMissing;
    f.minNumValues = s.minNumValues ?? Number.POSITIVE_INFINITY;
    f.maxNumValues = s.maxNumValues ?? Number.NEGATIVE_INFINITY;
    f.totNumValues = s.totNumValues;
    f.numValues = KllSketch.fromJSON(s.numValues);
    if (s.kind === "bytes") {
      if (!s.strings) throw new KoanError("FORMAT_INVALID", `feature "${s.name}" of kind bytes has no string state`);
      f.strings = StringPart.fromJSON(s.strings, options);
    } else {
      if (!s.numeric) throw new KoanError("FORMAT_INVALID", `feature "${s.name}" of kind ${s.kind} has no numeric state`);
      f.numeric = NumericPart.fromJSON(s.numeric);
    }
    return f;
  }

  /** A deep copy. */
  clone(options: ResolvedStatsOptions): FeatureAccumulator {
    return FeatureAccumulator.fromJSON(this.toJSON(), options);
  }
}

function kindConflict(name: string, had: FeatureKind, got: FeatureKind): KoanError {
  return new KoanError("DATA_INVALID", `feature "${name}" has ${had} values in some examples and ${got} values in others`, {
    hint: "a feature must have one type across the whole dataset; fix the producer or rename one of them",
    details: { feature: name, kinds: [had, got] },
  });
}
