/**
 * Fitting: the analysis pass over the training split ({@link TransformAnalyzer}: add rows, merge shards) and the
 * step from analyzer outputs to a {@link FittedTransform} ({@link fitTransform}).
 * @module
 */
import { KoanError } from "../core/errors.js";
import { Analyzer, type AnalyzerState } from "./analyzer.js";
import type { OpConfig } from "./config.js";
import type { AnalyzerSummary, FittedCross, FittedCustom, FittedFeature, FittedLabel, FittedOp, FittedTransform } from "./format.js";
import { TRANSFORM_FORMAT, TRANSFORM_FORMAT_VERSION } from "./format.js";
import { cardinalityOf, isCategorical, numericOp } from "./ops.js";
import type { Plan, PlannedFeature } from "./plan.js";
import type { RawScalar } from "./values.js";
import type { FeatureKind } from "../data/example/types.js";

/** Reads a raw feature of a row (see `values.ts`). */
export type RawGetter = (name: string, kind: FeatureKind) => RawScalar;

/** The fitted form of a stateless op of the plan. */
export function statelessOp(op: OpConfig): FittedOp {
  switch (op.type) {
    case "log":
      return { type: "log", offset: op.offset };
    case "clip":
      return { type: "clip", min: op.min ?? null, max: op.max ?? null };
    case "bool":
      return { type: "bool" };
    case "identity":
      return { type: "identity" };
    case "hash":
      return { type: "hash", buckets: op.buckets, output: op.output };
    default:
      throw new KoanError("INTERNAL", `op "${op.type}" needs an analyzer`);
  }
}

/** JSON form of a {@link TransformAnalyzer}. */
export interface TransformAnalyzerState {
  readonly rows: number;
  readonly raw: { readonly [feature: string]: AnalyzerState };
  readonly ops: { readonly [feature: string]: AnalyzerState };
}

/**
 * The analyzers a plan needs, over the training split. Analyze each shard with its own instance and merge them
 * in shard order, or add every row to one.
 */
export class TransformAnalyzer {
  rows = 0;
  readonly raw = new Map<string, Analyzer>();
  readonly ops = new Map<string, Analyzer>();
  private readonly prefixed: { feature: PlannedFeature; prefix: FittedOp[]; analyzer: Analyzer }[] = [];
  private readonly rawList: { name: string; kind: FeatureKind; analyzer: Analyzer }[] = [];

  constructor(readonly plan: Plan) {
    const kinds = new Map<string, FeatureKind>([...plan.inputs.map((i) => [i.name, i.kind] as const), ...(plan.label ? [[plan.label.name, plan.label.kind] as const] : [])]);
    for (const [name, needs] of plan.rawNeeds) {
      const analyzer = new Analyzer(needs);
      this.raw.set(name, analyzer);
      this.rawList.push({ name, kind: kinds.get(name) as FeatureKind, analyzer });
    }
    for (const f of plan.features) {
      const needs = plan.opNeeds.get(f.name);
      if (!needs) continue;
      const analyzer = new Analyzer(needs);
      this.ops.set(f.name, analyzer);
      this.prefixed.push({ feature: f, prefix: f.ops.slice(0, f.analyzerAt).map(statelessOp), analyzer });
    }
  }

  /** Add one training row. */
  add(get: RawGetter): void {
    this.rows++;
    for (const { name, kind, analyzer } of this.rawList) {
      const v = get(name, kind);
      if (v === null) analyzer.addMissing();
      else if (typeof v === "number") analyzer.addNumber(v);
      else analyzer.addString(v);
    }
    for (const { feature, prefix, analyzer } of this.prefixed) {
      // Analyzers see the non-missing values after the stateless ops before them.
      const v = get(feature.source, feature.kind);
      if (v === null) {
        analyzer.addMissing();
        continue;
      }
      let x: number | string = v;
      for (const op of prefix) x = numericOp(op, x, feature.name);
      analyzer.addNumber(x as number);
    }
  }

  /** Fold another analyzer of the same plan into this one. */
  merge(other: TransformAnalyzer): void {
    this.rows += other.rows;
    for (const [k, a] of other.raw) this.raw.get(k)?.merge(a);
    for (const [k, a] of other.ops) this.ops.get(k)?.merge(a);
  }

  /** Plain-data state (mergeable: see {@link TransformAnalyzer.fromJSON}). */
  toJSON(): TransformAnalyzerState {
    const obj = (m: Map<string, Analyzer>) => Object.fromEntries([...m].map(([k, a]) => [k, a.toJSON()]));
    return { rows: this.rows, raw: obj(this.raw), ops: obj(this.ops) };
  }

  /** Rebuild from {@link TransformAnalyzer.toJSON} output (for the same plan). */
  static fromJSON(plan: Plan, state: TransformAnalyzerState): TransformAnalyzer {
    const a = new TransformAnalyzer(plan);
    const b = new TransformAnalyzer(plan);
    b.rows = state.rows;
    for (const [k, s] of Object.entries(state.raw)) b.raw.set(k, Analyzer.fromJSON(s));
    for (const [k, s] of Object.entries(state.ops)) b.ops.set(k, Analyzer.fromJSON(s));
    a.merge(b);
    return a;
  }
}

const MAX_TOP = 10_000;
const MAX_CLASSES = 10_000;

function summary(a: Analyzer): AnalyzerSummary {
  const out: { -readonly [K in keyof AnalyzerSummary]: AnalyzerSummary[K] } = { count: a.count, missing: a.missing };
  if (a.moments && a.count > 0) {
    out.mean = a.moments.mean;
    out.variance = a.moments.variance;
    out.min = a.min;
    out.max = a.max;
  }
  if (a.kll && a.count > 0) out.percentiles = Array.from({ length: 101 }, (_, i) => (a.kll as NonNullable<Analyzer["kll"]>).quantile(i, 100));
  if (a.counter) {
    out.top = a.sortedCounts().slice(0, MAX_TOP);
    out.distinct = a.counter.distinct();
  }
  return out;
}

function noValues(feature: string, what: string, split: string): KoanError {
  return new KoanError("DATA_INVALID", `feature "${feature}": ${what}, but the column has no values in the training split "${split}"`, {
    hint: "drop the feature, or check the source data",
    details: { feature },
  });
}

function fitOp(op: OpConfig, a: Analyzer, f: PlannedFeature, split: string): FittedOp {
  switch (op.type) {
    case "zscore":
      if (a.count === 0 || !a.moments) throw noValues(f.source, "zscore needs a mean and variance", split);
      return { type: "zscore", mean: a.moments.mean, std: Math.sqrt(a.moments.variance) };
    case "scale01":
    case "minmax":
      if (a.count === 0) throw noValues(f.source, `${op.type} needs a min and max`, split);
      return { type: "minmax", min: a.min, max: a.max, outMin: op.type === "minmax" ? op.min : 0, outMax: op.type === "minmax" ? op.max : 1 };
    case "bucketize": {
      if (a.count === 0 || !a.kll) throw noValues(f.source, "bucketize needs quantiles", split);
      const kll = a.kll;
      const bounds = Array.from({ length: op.buckets - 1 }, (_, i) => kll.quantile(i + 1, op.buckets));
      const boundaries = [...new Set(bounds)].sort((x, y) => x - y);
      return { type: "bucketize", boundaries, output: op.output };
    }
    case "vocabulary": {
      if (a.count === 0) throw noValues(f.source, "a vocabulary needs values", split);
      let entries = a.sortedCounts().filter(([, c]) => c >= op.minFrequency);
      if (op.topK !== undefined) entries = entries.slice(0, op.topK);
      if (entries.length === 0) {
        throw new KoanError("DATA_INVALID", `feature "${f.source}": the vocabulary is empty: no value occurs at least ${op.minFrequency} times in the training split "${split}"`, {
          hint: "lower minFrequency",
          details: { feature: f.source },
        });
      }
      return { type: "vocabulary", vocabulary: entries.map(([v]) => v), oovBuckets: op.oovBuckets, output: op.output };
    }
    default:
      return statelessOp(op);
  }
}

function fillValue(f: PlannedFeature, a: Analyzer, split: string): number | string | null {
  const fill = f.fill;
  if (fill === "none") return null;
  if (fill === "zero") return 0;
  if (typeof fill === "object") return fill.constant;
  if (a.count === 0) throw noValues(f.source, `fill "${fill}" needs values`, split);
  if (fill === "mean") return (a.moments as NonNullable<Analyzer["moments"]>).mean;
  if (fill === "median") return (a.kll as NonNullable<Analyzer["kll"]>).quantile(1, 2);
  const top = a.sortedCounts()[0]?.[0] as string;
  return f.kind === "bytes" ? top : Number(top);
}

function sortClasses(values: string[], kind: FeatureKind): string[] {
  return kind === "bytes" ? values.sort() : values.sort((x, y) => Number(x) - Number(y));
}

/**
 * Turn a plan and its analyzers (over the training split) into a fitted transform.
 * @throws KoanError `DATA_INVALID` when an analyzer has nothing to work from (an all-missing column), an empty
 *   vocabulary, or a label with too many classes.
 */
export function fitTransform(plan: Plan, analyzer: TransformAnalyzer): FittedTransform {
  const split = plan.trainSplit;
  const features: FittedFeature[] = plan.features.map((f) => {
    const raw = analyzer.raw.get(f.source) as Analyzer;
    let planned = f;
    if (f.autoBool && raw.count > 0 && raw.min >= 0 && raw.max <= 1) {
      planned = { ...f, ops: [{ type: "bool" }], fill: "mode", analyzerAt: -1 };
    }
    const source = planned.analyzerAt > 0 ? (analyzer.ops.get(f.name) as Analyzer) : raw;
    const ops = planned.ops.map((op, i) => (i === planned.analyzerAt ? fitOp(op, source, f, split) : statelessOp(op)));
    const fill = planned === f ? fillValue(f, raw, split) : (raw.moments as NonNullable<Analyzer["moments"]>).mean > 0.5 ? 1 : 0;
    const last = ops[ops.length - 1];
    if (last && isCategorical(last)) {
      const n = cardinalityOf(last);
      const output = (last as { output: "index" | "onehot" }).output;
      return output === "onehot"
        ? { name: f.name, source: f.source, kind: f.kind, fill, ops, dtype: "float32", shape: [n] }
        : { name: f.name, source: f.source, kind: f.kind, fill, ops, dtype: "int64", shape: [], cardinality: n };
    }
    return { name: f.name, source: f.source, kind: f.kind, fill, ops, dtype: "float32", shape: [] };
  });

  const crosses: FittedCross[] = plan.crosses.map((c) =>
    c.output === "onehot"
      ? { ...c, dtype: "float32", shape: [c.buckets] }
      : { ...c, dtype: "int64", shape: [], cardinality: c.buckets },
  );

  const custom: FittedCustom[] = plan.custom.map((c) => ({
    name: c.name,
    inputs: c.inputs,
    size: c.size,
    fill: c.fill,
    source: c.source,
    codeHash: c.codeHash,
    dtype: "float32",
    shape: c.size === 1 ? [] : [c.size],
  }));

  let label: FittedLabel | null = null;
  if (plan.label) {
    const a = analyzer.raw.get(plan.label.name) as Analyzer;
    if (a.count === 0) throw noValues(plan.label.name, "it is the label", split);
    if (plan.label.task === "classification") {
      if (!a.counter?.exact || a.counter.distinct() > MAX_CLASSES) {
        throw new KoanError("DATA_INVALID", `label "${plan.label.name}" has more than ${MAX_CLASSES} distinct values in the training split`, {
          hint: 'use label: { name, task: "regression" } for a numeric target',
        });
      }
      label = { ...plan.label, classes: sortClasses(a.sortedCounts().map(([v]) => v), plan.label.kind) };
    } else label = { ...plan.label };
  }

  const analyzers: Record<string, AnalyzerSummary> = {};
  for (const name of [...analyzer.raw.keys()].sort()) analyzers[name] = summary(analyzer.raw.get(name) as Analyzer);

  return {
    format: TRANSFORM_FORMAT,
    version: TRANSFORM_FORMAT_VERSION,
    trainSplit: split,
    trainRows: analyzer.rows,
    inputs: plan.inputs,
    label,
    features,
    crosses,
    custom,
    raw: plan.raw,
    analyzers,
  };
}
