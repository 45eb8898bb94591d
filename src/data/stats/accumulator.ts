/**
 * The statistics accumulator: feed it Examples one at a time (one pass, memory bounded per feature), merge
 * accumulators of different shards, serialize their state as JSON, and `finish()` into {@link DatasetStatistics}.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { Example } from "../example/types.js";
import type { StatsColumn } from "./columns.js";
import { FeatureAccumulator } from "./feature-accumulator.js";
import { finishFeature } from "./finish.js";
import { resolveStatsOptions, sameStatsOptions, type ResolvedStatsOptions, type StatsOptions } from "./options.js";
import { compareCodePoints } from "./order.js";
import {
  ACCUMULATOR_STATE_FORMAT,
  ACCUMULATOR_STATE_VERSION,
  parseAccumulatorState,
  type AccumulatorState,
} from "./state.js";
import type { DatasetStatistics } from "./types.js";

const KINDS = new Set(["bytes", "float", "int64"]);

/**
 * Streaming, mergeable statistics over Examples, as TFDV computes them.
 *
 * Counts, min/max, zeros, top values and (while within `maxExactDistinct`) unique counts are exact and do not
 * depend on how the data was split into merged shards; mean and standard deviation agree to rounding error;
 * quantiles (median, quantile histogram) are exact up to `quantileSketchK` values per feature and approximate
 * beyond. Output is sorted by feature name and independent of the order of keys within Examples.
 * @example
 * ```ts
 * const a = new StatisticsAccumulator();
 * for (const ex of shard1) a.add(ex);
 * const b = new StatisticsAccumulator();
 * for (const ex of shard2) b.add(ex);
 * const stats = a.merge(b).finish({ name: "train" });
 * // ship state between workers:
 * const copy = StatisticsAccumulator.fromJSON(JSON.parse(JSON.stringify(a)));
 * ```
 */
export class StatisticsAccumulator {
  /** The options, with defaults filled in. */
  readonly options: ResolvedStatsOptions;
  private examples = 0;
  private readonly features = new Map<string, FeatureAccumulator>();

  constructor(options: StatsOptions = {}) {
    this.options = resolveStatsOptions(options);
  }

  /** Number of examples added so far (including through merges). */
  get numExamples(): number {
    return this.examples;
  }

  /**
   * Add one example.
   * @throws KoanError `DATA_INVALID` when a feature has non-empty values of a kind other than in earlier examples,
   * or an unknown kind. Empty value lists never conflict.
   */
  add(example: Example): this {
    for (const [name, feature] of example) {
      if (!KINDS.has(feature.kind)) {
        throw new KoanError("DATA_INVALID", `feature "${name}" has unknown kind ${String(feature.kind)}`, { details: { feature: name } });
      }
      if (feature.values.length === 0 && this.options.emptyListIsMissing) continue;
      let acc = this.features.get(name);
      // A kind-less TFX missing value decodes with a default kind: only non-empty lists fix a feature's kind.
      if (!acc) {
        acc = new FeatureAccumulator(name, feature.kind, this.options);
        this.features.set(name, acc);
      }
      acc.add(feature);
    }
    this.examples++;
    return this;
  }

  /**
   * Add rows `first, first + step, ...` (below `rows`) of a chunk given as columns, each a single-valued feature
   * present in every row (NULL = present and empty). The state is the same as adding those rows one Example at
   * a time in order, so a writer can keep one accumulator per shard of round-robin shards.
   * @example
   * ```ts
   * acc.addColumns([{ name: "x", kind: "float", values: new Float64Array([1, 2]), valid: null }], 2);
   * ```
   */
  addColumns(columns: readonly StatsColumn[], rows: number, first = 0, step = 1): this {
    if (!(Number.isInteger(first) && first >= 0 && Number.isInteger(step) && step >= 1)) {
      throw new KoanError("USAGE", `addColumns needs first >= 0 and step >= 1, got ${first} and ${step}`);
    }
    if (first >= rows) return this;
    for (const column of columns) {
      if (!KINDS.has(column.kind)) {
        throw new KoanError("DATA_INVALID", `feature "${column.name}" has unknown kind ${String(column.kind)}`, { details: { feature: column.name } });
      }
      let acc = this.features.get(column.name);
      if (!acc) {
        if (this.options.emptyListIsMissing && !hasValue(column, rows, first, step)) continue;
        acc = new FeatureAccumulator(column.name, column.kind, this.options);
        this.features.set(column.name, acc);
      }
      acc.addColumn(column, rows, first, step);
    }
    this.examples += Math.ceil((rows - first) / step);
    return this;
  }

  /**
   * The accumulator of several (in order): per-shard accumulators merged shard by shard, which is how the
   * statistics of a sharded split are defined, whether computed while writing or by reading the shards back.
   */
  static mergeAll(parts: readonly StatisticsAccumulator[], options: StatsOptions = parts[0]?.options ?? {}): StatisticsAccumulator {
    const out = new StatisticsAccumulator(options);
    for (const p of parts) out.merge(p);
    return out;
  }

  /** Add every example of an iterable. */
  addAll(examples: Iterable<Example>): this {
    for (const ex of examples) this.add(ex);
    return this;
  }

  /**
   * Fold another accumulator into this one (`other` is left unchanged).
   * @throws KoanError `DATA_INVALID` when the options differ or a feature has different kinds in the two.
   */
  merge(other: StatisticsAccumulator): this {
    if (other === this) return this.merge(StatisticsAccumulator.fromJSON(this.toJSON()));
    if (!sameStatsOptions(this.options, other.options)) {
      throw new KoanError("DATA_INVALID", "cannot merge statistics accumulators created with different options", {
        hint: "create every shard's accumulator with the same StatsOptions",
        details: { ours: this.options, theirs: other.options },
      });
    }
    for (const [name, theirs] of other.features) {
      const ours = this.features.get(name);
      if (ours) ours.merge(theirs);
      else this.features.set(name, theirs.clone(this.options));
    }
    this.examples += other.examples;
    return this;
  }

  /**
   * Take over the features of `other`, an accumulator that counted the same examples for other features (as a
   * writer does that counts some columns on another thread): the result is the accumulator that counted every
   * feature. `other` is left unchanged.
   * @throws KoanError `USAGE` when the two counted different numbers of examples or share a feature, or their
   * options differ.
   */
  addFeaturesOf(other: StatisticsAccumulator): this {
    if (other.examples !== this.examples) throw new KoanError("USAGE", `cannot join the features of accumulators of ${this.examples} and ${other.examples} examples`);
    if (!sameStatsOptions(this.options, other.options)) throw new KoanError("USAGE", "cannot join the features of accumulators created with different options");
    for (const name of other.features.keys()) if (this.features.has(name)) throw new KoanError("USAGE", `both accumulators count feature "${name}"`);
    for (const [name, theirs] of other.features) this.features.set(name, theirs.clone(this.options));
    return this;
  }

  /**
   * The statistics of everything added so far. The accumulator stays usable.
   * @example
   * new StatisticsAccumulator().add(new Map([["x", { kind: "float", values: new Float32Array([1, 2]) }]])).finish();
   * // { name: "", numExamples: 1, features: [{ name: "x", type: "FLOAT", numStats: { mean: 1.5, ... } }] }
   */
  finish(options: { name?: string } = {}): DatasetStatistics {
    const features = [...this.features.values()]
      .sort((a, b) => compareCodePoints(a.name, b.name))
      .map((f) => finishFeature(f, this.examples, this.options));
    return { name: options.name ?? "", numExamples: this.examples, features };
  }

  /** Plain-data state (finite numbers only, features sorted by name) for JSON and distributed merging. */
  toJSON(): AccumulatorState {
    return {
      format: ACCUMULATOR_STATE_FORMAT,
      version: ACCUMULATOR_STATE_VERSION,
      options: { ...this.options },
      numExamples: this.examples,
      features: [...this.features.values()].sort((a, b) => compareCodePoints(a.name, b.name)).map((f) => f.toJSON()),
    };
  }

  /**
   * Rebuild an accumulator from {@link StatisticsAccumulator.toJSON} output (or its `JSON.parse`d text).
   * @throws KoanError `FORMAT_INVALID` when the state is malformed.
   */
  static fromJSON(state: unknown): StatisticsAccumulator {
    const s = parseAccumulatorState(state);
    const acc = new StatisticsAccumulator(s.options);
    acc.examples = s.numExamples;
    for (const f of s.features) {
      if (acc.features.has(f.name)) throw new KoanError("FORMAT_INVALID", `statistics accumulator state lists feature "${f.name}" twice`);
      acc.features.set(f.name, FeatureAccumulator.fromJSON(f, acc.options));
    }
    return acc;
  }
}

function hasValue(column: StatsColumn, rows: number, first: number, step: number): boolean {
  for (let r = first; r < rows; r += step) {
    if (column.kind === "bytes" ? column.keys[r] != null : column.valid === null || column.valid[r] === 1) return true;
  }
  return false;
}
