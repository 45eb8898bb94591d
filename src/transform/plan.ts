/**
 * The feature plan: a preprocessing configuration resolved against a dataset's features (kinds, and the
 * schema's boolean and categorical domains when it carries one). Every check that does not need the data runs
 * here, before any pass: unknown columns, ops that do not fit a feature's kind, chains with two analyzers or ops
 * after a categorical one, name clashes. The plan also says which analyzers the training pass must compute.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { FeatureKind } from "../data/example/types.js";
import type { Schema } from "../data/schema/types.js";
import type { AnalyzerNeeds } from "./analyzer.js";
import { expandOp, type CrossConfig, type FeatureConfig, type FillConfig, type OpConfig, type PreprocessConfig } from "./config.js";
import { functionHash, functionSource, type CustomTransform, type CustomTransformFn } from "./custom.js";
import type { CategoricalOutput, RawInput } from "./format.js";

/** A planned (not yet fitted) feature. */
export interface PlannedFeature {
  readonly name: string;
  readonly source: string;
  readonly kind: FeatureKind;
  readonly fill: FillConfig;
  readonly ops: readonly OpConfig[];
  /** Position of the op that needs an analyzer, or -1. */
  readonly analyzerAt: number;
  /** Default for an int64 feature: becomes 0/1 with mode fill when the training values are all 0 or 1. */
  readonly autoBool: boolean;
}

/** A planned user-defined transform. */
export interface PlannedCustom {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly size: number;
  readonly fill: number | null;
  readonly fn: CustomTransformFn;
  readonly source: string;
  readonly codeHash: string;
}

/** A planned cross. */
export interface PlannedCross {
  readonly name: string;
  readonly features: readonly string[];
  readonly buckets: number;
  readonly output: CategoricalOutput;
}

/** The resolved plan. */
export interface Plan {
  readonly trainSplit: string;
  readonly label: { readonly name: string; readonly kind: FeatureKind; readonly task: "classification" | "regression" } | null;
  readonly features: readonly PlannedFeature[];
  readonly crosses: readonly PlannedCross[];
  readonly custom: readonly PlannedCustom[];
  readonly raw: { readonly prefix: string; readonly features: readonly RawInput[] };
  /** The input signature: raw features read by features, crosses and custom transforms. */
  readonly inputs: readonly RawInput[];
  /** Analyzers over raw values, by raw feature (label included). */
  readonly rawNeeds: ReadonlyMap<string, AnalyzerNeeds>;
  /** Analyzers over values after stateless ops (features whose analyzer op has ops before it), by feature name. */
  readonly opNeeds: ReadonlyMap<string, AnalyzerNeeds>;
}

const ANALYZER_OPS = new Set(["zscore", "scale01", "minmax", "bucketize", "vocabulary"]);
const CATEGORICAL_OPS = new Set(["bucketize", "vocabulary", "hash"]);
const NUMERIC_ONLY = new Set(["zscore", "scale01", "minmax", "log", "clip", "identity", "bucketize"]);

const invalid = (message: string, hint?: string): KoanError => new KoanError("PARAM_INVALID", message, hint ? { hint } : {});

function needsOf(op: OpConfig): AnalyzerNeeds {
  if (op.type === "vocabulary") return { numeric: false, quantiles: false, counts: true };
  if (op.type === "bucketize") return { numeric: true, quantiles: true, counts: false };
  return { numeric: true, quantiles: false, counts: false };
}

function orNeeds(a: AnalyzerNeeds | undefined, b: AnalyzerNeeds): AnalyzerNeeds {
  return a ? { numeric: a.numeric || b.numeric, quantiles: a.quantiles || b.quantiles, counts: a.counts || b.counts } : b;
}

/** Check an op chain against the feature's kind; returns the position of its analyzer op. */
function checkChain(feature: string, kind: FeatureKind, ops: readonly OpConfig[], fill: FillConfig): number {
  let type: "number" | "string" | "category" = kind === "bytes" ? "string" : "number";
  let analyzerAt = -1;
  ops.forEach((op, i) => {
    if (type === "category") throw invalid(`feature "${feature}": op "${op.type}" comes after a categorical op (${ops[i - 1]?.type}); categorical ops (bucketize, vocabulary, hash) must be last`);
    if (type === "string" && NUMERIC_ONLY.has(op.type)) {
      throw invalid(`feature "${feature}" is a string (bytes) feature, but op "${op.type}" needs numbers`, 'use "vocabulary", "onehot", "hash" or "bool", or read the column as a number in the source');
    }
    if (ANALYZER_OPS.has(op.type)) {
      if (analyzerAt >= 0) throw invalid(`feature "${feature}": ops "${ops[analyzerAt]?.type}" and "${op.type}" both need analyzers; a chain may hold one`, "split it into two features, or use a custom transform");
      analyzerAt = i;
    }
    if (op.type === "minmax" && !(op.max > op.min)) throw invalid(`feature "${feature}": minmax range [${op.min}, ${op.max}] is empty`);
    if (op.type === "clip" && op.min !== undefined && op.max !== undefined && op.min > op.max) throw invalid(`feature "${feature}": clip min ${op.min} is above max ${op.max}`);
    type = CATEGORICAL_OPS.has(op.type) ? "category" : "number";
  });
  if (type === "string") throw invalid(`feature "${feature}" is a string (bytes) feature with no op turning it into numbers`, 'use "vocabulary", "onehot", "hash" or "bool"');
  const first = ops[0]?.type;
  if (fill === "none" && first !== "vocabulary" && first !== "hash") {
    throw invalid(`feature "${feature}": fill "none" leaves missing values, which only vocabulary and hash ops accept (as out-of-vocabulary / the empty string)`, 'use fill "mean", "median", "mode", "zero" or { constant }');
  }
  if (kind === "bytes" && (fill === "mean" || fill === "median" || fill === "zero")) {
    throw invalid(`feature "${feature}" is a string (bytes) feature: fill "${fill}" needs numbers`, 'use "mode", "none" or { constant: "..." }');
  }
  if (typeof fill === "object" && (typeof fill.constant === "string") !== (kind === "bytes")) {
    throw invalid(`feature "${feature}": fill constant ${JSON.stringify(fill.constant)} does not match its kind (${kind})`);
  }
  return analyzerAt;
}

interface SchemaHints {
  bool: Set<string>;
  categorical: Set<string>;
}

function schemaHints(schema: Schema | undefined): SchemaHints {
  const hints: SchemaHints = { bool: new Set(), categorical: new Set() };
  for (const f of schema?.feature ?? []) {
    if (f.boolDomain) hints.bool.add(f.name);
    else if (f.intDomain?.isCategorical) hints.categorical.add(f.name);
  }
  return hints;
}

/** The zero-config default of a feature of `kind`. */
function defaultFeature(name: string, kind: FeatureKind, hints: SchemaHints, topK: number): { fill: FillConfig; ops: OpConfig[]; autoBool: boolean } {
  if (hints.bool.has(name)) return { fill: "mode", ops: [{ type: "bool" }], autoBool: false };
  if (kind === "bytes" || hints.categorical.has(name)) {
    return { fill: kind === "bytes" ? "none" : "mode", ops: [{ type: "vocabulary", topK, minFrequency: 1, oovBuckets: 1, output: "onehot" }], autoBool: false };
  }
  return { fill: "mean", ops: [{ type: "zscore" }], autoBool: kind === "int64" };
}

function normalise(config: Exclude<FeatureConfig, "drop">): { fill: FillConfig | undefined; ops: OpConfig[] | undefined; name: string | undefined } {
  if (Array.isArray(config)) return { fill: undefined, ops: config.map(expandOp), name: undefined };
  if (typeof config === "string" || "type" in config) return { fill: undefined, ops: [expandOp(config as Parameters<typeof expandOp>[0])], name: undefined };
  const c = config as { fill?: FillConfig; ops?: Parameters<typeof expandOp>[0][]; name?: string };
  return { fill: c.fill, ops: c.ops?.map(expandOp), name: c.name };
}

/** Inputs of {@link resolvePlan}. */
export interface PlanInputs {
  readonly config: PreprocessConfig;
  /** The dataset's feature kinds. */
  readonly kinds: Readonly<Record<string, FeatureKind>>;
  /** The dataset's split names. */
  readonly splits: readonly string[];
  readonly schema?: Schema | undefined;
  readonly custom?: Readonly<Record<string, CustomTransform>>;
}

/**
 * Resolve a configuration against a dataset's features.
 * @throws KoanError `DATA_INVALID` for columns that do not exist, `PARAM_INVALID` for inconsistent configuration.
 */
export function resolvePlan({ config, kinds, splits, schema, custom = {} }: PlanInputs): Plan {
  const columns = Object.keys(kinds);
  const known = (what: string, name: string): FeatureKind => {
    const kind = kinds[name];
    if (kind === undefined) {
      throw new KoanError("DATA_INVALID", `${what} "${name}" is not a column of the dataset`, { hint: `its columns: ${columns.join(", ") || "none"}`, details: { feature: name } });
    }
    return kind;
  };
  if (!splits.includes(config.trainSplit)) {
    throw new KoanError("DATA_INVALID", `the dataset has no split "${config.trainSplit}" to fit the transform on`, { hint: `its splits: ${splits.join(", ")}; set trainSplit, or split the dataset first` });
  }
  for (const s of config.splits ?? []) {
    if (!splits.includes(s)) throw new KoanError("DATA_INVALID", `the dataset has no split "${s}"`, { hint: `its splits: ${splits.join(", ")}` });
  }

  let label: Plan["label"] = null;
  if (config.label !== undefined) {
    const name = typeof config.label === "string" ? config.label : config.label.name;
    const kind = known("label column", name);
    const given = typeof config.label === "string" ? undefined : config.label.task;
    label = { name, kind, task: given ?? (kind === "float" ? "regression" : "classification") };
    if (label.task === "regression" && kind === "bytes") throw invalid(`label "${name}" is a string (bytes) column and cannot be a regression target`);
  }

  const excluded = new Set(config.exclude);
  for (const name of excluded) known("excluded feature", name);
  for (const name of Object.keys(config.features)) {
    known("feature", name);
    if (name === label?.name) throw invalid(`"${name}" is the label and cannot also be configured as a feature`);
    if (excluded.has(name) && config.features[name] !== "drop") throw invalid(`feature "${name}" is both configured and excluded`);
  }

  const hints = schemaHints(schema);
  const rawNeeds = new Map<string, AnalyzerNeeds>();
  const opNeeds = new Map<string, AnalyzerNeeds>();
  const addRaw = (name: string, n: AnalyzerNeeds): void => void rawNeeds.set(name, orNeeds(rawNeeds.get(name), n));
  const NONE: AnalyzerNeeds = { numeric: false, quantiles: false, counts: false };

  const features: PlannedFeature[] = [];
  for (const source of columns) {
    if (source === label?.name || excluded.has(source)) continue;
    const given = config.features[source];
    if (given === "drop" || (given === undefined && config.unlisted === "drop")) continue;
    const kind = kinds[source] as FeatureKind;
    const def = defaultFeature(source, kind, hints, config.defaultTopK);
    const n = given === undefined ? { fill: undefined, ops: undefined, name: undefined } : normalise(given);
    const ops = n.ops ?? def.ops;
    const defaultFill: FillConfig = n.ops === undefined ? def.fill : kind === "bytes" ? (ops[0]?.type === "bool" ? "mode" : "none") : ops[0]?.type === "bool" ? "mode" : "mean";
    const fill = n.fill ?? defaultFill;
    const analyzerAt = checkChain(source, kind, ops, fill);
    const name = n.name ?? source;
    features.push({ name, source, kind, fill, ops, analyzerAt, autoBool: n.ops === undefined && n.fill === undefined && def.autoBool });
    addRaw(source, kind === "bytes" ? NONE : { numeric: true, quantiles: false, counts: false });
    if (fill === "median") addRaw(source, { numeric: true, quantiles: true, counts: false });
    if (fill === "mode") addRaw(source, { numeric: false, quantiles: false, counts: true });
    if (analyzerAt === 0) addRaw(source, needsOf(ops[0] as OpConfig));
    else if (analyzerAt > 0) opNeeds.set(name, needsOf(ops[analyzerAt] as OpConfig));
  }

  const crosses: PlannedCross[] = config.crosses.map((c: CrossConfig) => {
    for (const f of c.features) {
      known("crossed feature", f);
      if (f === label?.name) throw invalid(`cross of ${c.features.join(", ")}: "${f}" is the label`);
    }
    return { name: c.name ?? c.features.join("_x_"), features: [...c.features], buckets: c.buckets, output: c.output };
  });

  const customs: PlannedCustom[] = Object.keys(custom)
    .sort()
    .map((name) => {
      const t = custom[name] as CustomTransform;
      if (typeof t?.fn !== "function") throw invalid(`custom transform "${name}" has no function (fn)`);
      if (!Array.isArray(t.inputs)) throw invalid(`custom transform "${name}" must declare its inputs (the raw features it reads)`);
      const size = t.size ?? 1;
      if (!Number.isInteger(size) || size < 1) throw invalid(`custom transform "${name}": size must be a whole number ≥ 1`);
      if (t.fill !== undefined && !Number.isFinite(t.fill)) throw invalid(`custom transform "${name}": fill must be a finite number`);
      for (const f of t.inputs) {
        const kind = known(`input of custom transform "${name}"`, f);
        addRaw(f, kind === "bytes" ? { numeric: false, quantiles: false, counts: true } : { numeric: true, quantiles: true, counts: false });
      }
      return { name, inputs: [...t.inputs], size, fill: t.fill ?? null, fn: t.fn, source: functionSource(t.fn), codeHash: functionHash(t.fn) };
    });

  const used = new Set<string>([...features.map((f) => f.source), ...crosses.flatMap((c) => c.features), ...customs.flatMap((c) => c.inputs)]);
  const inputs: RawInput[] = columns.filter((c) => used.has(c)).map((name) => ({ name, kind: kinds[name] as FeatureKind }));
  for (const c of crosses) for (const f of c.features) if (!rawNeeds.has(f)) rawNeeds.set(f, NONE);

  const rawNames = config.keepRaw === true ? inputs.map((i) => i.name) : config.keepRaw === false ? [] : config.keepRaw;
  const raw = { prefix: config.rawPrefix, features: rawNames.map((name) => ({ name, kind: known("kept raw feature", name) })) };

  if (label) addRaw(label.name, label.task === "classification" ? { numeric: false, quantiles: false, counts: true } : { numeric: true, quantiles: false, counts: false });

  const names = new Map<string, string>();
  const claim = (name: string, what: string): void => {
    const prior = names.get(name);
    if (prior) throw invalid(`output name "${name}" is used twice (${prior} and ${what})`, "rename one with its name option");
    names.set(name, what);
  };
  if (label) claim(label.name, "the label");
  for (const f of features) claim(f.name, `feature ${f.source}`);
  for (const c of crosses) claim(c.name, "a cross");
  for (const c of customs) claim(c.name, "a custom transform");
  for (const r of raw.features) claim(`${raw.prefix}${r.name}`, `the raw copy of ${r.name}`);
  if (features.length + crosses.length + customs.length === 0) {
    throw invalid("the preprocessing plan has no features", "configure features, or leave unlisted at its default");
  }
  return { trainSplit: config.trainSplit, label, features, crosses, custom: customs, raw, inputs, rawNeeds, opNeeds };
}
