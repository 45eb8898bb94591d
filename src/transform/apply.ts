/**
 * Applying a fitted transform: the one implementation used to write the transformed training Dataset, to serve
 * a raw row ({@link applyTransform}), and for batch inference. A {@link CompiledTransform} reads raw values through
 * a getter (from an Example or from a plain row, see `values.ts`), so every path computes the same float32
 * numbers.
 *
 * @example
 * ```ts
 * const transform = (await koan.load(run.outputs.preprocess.transform)) as FittedTransform;
 * applyTransform(transform, { bill_mm: 39.1, island: "Torgersen" });
 * // { bill_mm: -0.88, island: [0, 0, 1, 0] }
 * transformToVector(transform, { bill_mm: 39.1, island: "Torgersen" }); // Float32Array [-0.88, 0, 0, 1, 0]
 * ```
 * @module
 */
import { KoanError, messageOf } from "../core/errors.js";
import type { Example, Feature, FeatureKind } from "../data/example/types.js";
import { analyzerOutputs, functionHash, type AnalyzerOutputs, type CustomTransform, type CustomTransformFn } from "./custom.js";
import type { FittedCustom, FittedFeature, FittedTransform } from "./format.js";
import { hashBucket } from "./hash.js";
import { categoricalOp, isCategorical, numericOp, type CategoricalFn } from "./ops.js";
import { categoryOf, exampleScalar, rowScalar, type RawScalar } from "./values.js";

/** Options of {@link compileTransform} and {@link applyTransform}. */
export interface ApplyOptions {
  /**
   * The functions of the transform's custom transforms, by name (their source must hash to what the transform
   * recorded). Without them, custom transforms are an error unless `trustStoredCode` is set.
   */
  custom?: Readonly<Record<string, CustomTransform | CustomTransformFn>>;
  /**
   * Rebuild custom transforms from the source text stored in the transform (runs that code: only for
   * transforms you produced yourself; the functions must be self-contained).
   */
  trustStoredCode?: boolean;
}

/** Where a row comes from, for error messages. */
export interface RowLocation {
  readonly split?: string;
  readonly row: number;
}

/** One output value: a float32 vector (a scalar is a vector of one) or an int64 index. */
export type OutputValue = Float32Array | number;

/** A transformed row as plain values: scalars, vectors (one-hot, sized custom outputs), the label, raw copies. */
export type TransformedRow = Record<string, number | number[] | string | null>;

type Getter = (name: string, kind: FeatureKind) => RawScalar;

interface OutputSlot {
  readonly name: string;
  readonly dtype: "float32" | "int64";
  /** Flat width in a dense vector. */
  readonly width: number;
}

function where(at: RowLocation | undefined): string {
  if (!at) return "";
  return ` on row ${at.row}${at.split !== undefined ? ` of split "${at.split}"` : ""}`;
}

/** Add a row location to a KoanError's message (other errors, and errors that already name a row, pass through). */
export function withRow(e: unknown, at: RowLocation | undefined): unknown {
  if (!at || !(e instanceof KoanError) || e.details.row !== undefined) return e;
  const place = `row ${at.row}${at.split !== undefined ? ` of split "${at.split}"` : ""}`;
  return new KoanError(e.code, `${e.message} (${place})`, { hint: e.hint, cause: e.cause, details: { ...e.details, row: at.row, ...(at.split !== undefined ? { split: at.split } : {}) } });
}

/** A compiled feature: raw value → output. */
interface CompiledFeature {
  readonly spec: FittedFeature;
  /** The category index when the output is categorical (for crosses), else undefined. */
  run(get: Getter): { value: OutputValue; category: number | undefined; filled: RawScalar };
}

function compileFeature(f: FittedFeature): CompiledFeature {
  const last = f.ops[f.ops.length - 1];
  const categorical = isCategorical(last);
  const numericOps = categorical ? f.ops.slice(0, -1) : f.ops;
  const cat: CategoricalFn | undefined = categorical && last ? categoricalOp(last, f.name) : undefined;
  const width = f.shape[0] ?? 1;
  const onehot = categorical && f.dtype === "float32";
  return {
    spec: f,
    run(get) {
      const raw = get(f.source, f.kind);
      const filled: RawScalar = raw === null ? f.fill : raw;
      let x: number | string | null = filled;
      for (const op of numericOps) {
        if (x === null) throw new KoanError("DATA_INVALID", `feature "${f.name}" is missing and has no fill value`, { details: { feature: f.name } });
        x = numericOp(op, x, f.name);
      }
      if (cat) {
        const i = cat(x);
        if (!onehot) return { value: i, category: i, filled };
        const v = new Float32Array(width);
        if (i >= 0) v[i] = 1;
        return { value: v, category: i, filled };
      }
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new KoanError("DATA_INVALID", `feature "${f.name}": the transformed value is ${String(x)}, not a finite number`, { details: { feature: f.name } });
      }
      return { value: Float32Array.of(x), category: undefined, filled };
    },
  };
}

function resolveCustom(c: FittedCustom, options: ApplyOptions): CustomTransformFn {
  const given = options.custom?.[c.name];
  if (given !== undefined) {
    const fn = typeof given === "function" ? given : given.fn;
    if (functionHash(fn) !== c.codeHash) {
      throw new KoanError("USAGE", `custom transform "${c.name}" is not the function the transform was fitted with (its source differs)`, {
        hint: "pass the same function, or fit the transform again",
      });
    }
    return fn;
  }
  if (options.trustStoredCode) {
    try {
      return new Function(`"use strict"; return (${c.source});`)() as CustomTransformFn;
    } catch (e) {
      throw new KoanError("DATA_INVALID", `custom transform "${c.name}": its stored source does not compile: ${messageOf(e)}`, { cause: e });
    }
  }
  throw new KoanError("USAGE", `the transform has a custom transform "${c.name}"; pass its function`, {
    hint: `applyTransform(t, row, { custom: { ${c.name}: fn } }), or { trustStoredCode: true } for a transform you produced yourself`,
  });
}

/** A fitted transform ready to apply (compile once, apply to many rows). */
export class CompiledTransform {
  private readonly features: CompiledFeature[];
  private readonly custom: { spec: FittedCustom; fn: CustomTransformFn; analyzers: AnalyzerOutputs; kinds: FeatureKind[] }[];
  private readonly labelIndex: Map<string, number> | undefined;
  private readonly kinds: Map<string, FeatureKind>;
  /** Outputs in dense-vector order: features, crosses, custom transforms. */
  readonly outputs: readonly OutputSlot[];
  /** Width of the dense model input vector. */
  readonly width: number;

  constructor(
    readonly transform: FittedTransform,
    options: ApplyOptions = {},
  ) {
    this.features = transform.features.map(compileFeature);
    const kinds = new Map(transform.inputs.map((i) => [i.name, i.kind] as const));
    this.kinds = kinds;
    this.custom = transform.custom.map((spec) => ({
      spec,
      fn: resolveCustom(spec, options),
      analyzers: analyzerOutputs(transform.analyzers, spec.name, spec.inputs),
      kinds: spec.inputs.map((n) => kinds.get(n) as FeatureKind),
    }));
    this.labelIndex = transform.label?.classes ? new Map(transform.label.classes.map((c, i) => [c, i] as const)) : undefined;
    const slot = (s: { name: string; dtype: "float32" | "int64"; shape: readonly number[] }): OutputSlot => ({ name: s.name, dtype: s.dtype, width: s.shape[0] ?? 1 });
    this.outputs = [...transform.features.map(slot), ...transform.crosses.map(slot), ...transform.custom.map(slot)];
    this.width = this.outputs.reduce((n, o) => n + o.width, 0);
  }

  /** Kinds of every column of the transformed dataset (outputs, label, raw copies). */
  outputKinds(): Record<string, FeatureKind> {
    const kinds: Record<string, FeatureKind> = {};
    for (const o of this.outputs) kinds[o.name] = o.dtype === "int64" ? "int64" : "float";
    const label = this.transform.label;
    if (label) kinds[label.name] = label.task === "classification" ? "int64" : "float";
    for (const r of this.transform.raw.features) kinds[`${this.transform.raw.prefix}${r.name}`] = r.kind;
    return kinds;
  }

  /** The outputs of one row, in {@link outputs} order. */
  compute(get: Getter, at?: RowLocation): OutputValue[] {
    const values: OutputValue[] = [];
    const crossing = this.transform.crosses.length > 0;
    const categories = new Map<string, number>();
    const filled = new Map<string, RawScalar>();
    try {
      for (const f of this.features) {
        const r = f.run(get);
        values.push(r.value);
        if (!crossing) continue;
        if (r.category !== undefined) categories.set(f.spec.source, r.category);
        filled.set(f.spec.source, r.filled);
      }
      const kinds = this.kinds;
      for (const c of this.transform.crosses) {
        const parts = c.features.map((name) => {
          const cat = categories.get(name);
          if (cat !== undefined) return String(cat);
          return categoryOf(filled.has(name) ? (filled.get(name) as RawScalar) : get(name, kinds.get(name) as FeatureKind));
        });
        const i = hashBucket(parts.join("_X_"), c.buckets);
        if (c.output === "index") values.push(i);
        else {
          const v = new Float32Array(c.buckets);
          v[i] = 1;
          values.push(v);
        }
      }
    } catch (e) {
      throw withRow(e, at);
    }
    for (const c of this.custom) {
      const row: Record<string, RawScalar> = {};
      try {
        c.spec.inputs.forEach((name, i) => {
          row[name] = get(name, c.kinds[i] as FeatureKind);
        });
      } catch (e) {
        throw withRow(e, at);
      }
      let out: number | readonly number[] | null;
      try {
        out = c.fn(Object.freeze(row), c.analyzers);
      } catch (e) {
        throw new KoanError("DATA_INVALID", `custom transform "${c.spec.name}" threw${where(at)}: ${messageOf(e)}`, {
          cause: e,
          details: { feature: c.spec.name, ...(at ? { row: at.row } : {}) },
        });
      }
      values.push(this.customValue(c.spec, out, at));
    }
    return values;
  }

  private customValue(spec: FittedCustom, out: number | readonly number[] | null | undefined, at: RowLocation | undefined): Float32Array {
    const fail = (why: string): never => {
      throw new KoanError("DATA_INVALID", `custom transform "${spec.name}" ${why}${where(at)}`, { details: { feature: spec.name, ...(at ? { row: at.row } : {}) } });
    };
    if (out === null || out === undefined) {
      if (spec.fill === null) fail("returned null and has no fill value");
      return new Float32Array(spec.size).fill(spec.fill as number);
    }
    const list = typeof out === "number" ? [out] : Array.isArray(out) || ArrayBuffer.isView(out) ? Array.from(out as ArrayLike<number>) : fail(`returned ${typeof out}, not a number or an array of numbers`);
    if (list.length !== spec.size) fail(`returned ${list.length} values, but its size is ${spec.size}`);
    for (const x of list) if (typeof x !== "number" || !Number.isFinite(x)) fail(`returned ${String(x)}, not a finite number`);
    return Float32Array.from(list);
  }

  /** The label's encoding of a raw value: a class index (-1 for a class not seen in training) or the number. */
  encodeLabel(v: RawScalar): number | null {
    const label = this.transform.label;
    if (!label || v === null) return null;
    if (this.labelIndex) return this.labelIndex.get(categoryOf(v)) ?? -1;
    return typeof v === "number" ? v : Number(v);
  }

  /** Transform an Example of the raw dataset into an Example of the transformed dataset. */
  applyExample(example: Example, at?: RowLocation): Example {
    const get: Getter = (name, kind) => exampleScalar(example, name, kind);
    const out = new Map<string, Feature>();
    const values = this.compute(get, at);
    this.outputs.forEach((o, i) => {
      const v = values[i] as OutputValue;
      out.set(o.name, typeof v === "number" ? { kind: "int64", values: BigInt64Array.of(BigInt(v)) } : { kind: "float", values: v });
    });
    const label = this.transform.label;
    if (label) {
      let y: number | null;
      try {
        y = this.encodeLabel(get(label.name, label.kind));
      } catch (e) {
        throw withRow(e, at);
      }
      if (label.task === "classification") out.set(label.name, { kind: "int64", values: y === null ? new BigInt64Array(0) : BigInt64Array.of(BigInt(y)) });
      else out.set(label.name, { kind: "float", values: y === null ? new Float32Array(0) : Float32Array.of(y) });
    }
    for (const r of this.transform.raw.features) {
      const f = example.get(r.name);
      const empty: Feature = r.kind === "float" ? { kind: "float", values: new Float32Array(0) } : r.kind === "int64" ? { kind: "int64", values: new BigInt64Array(0) } : { kind: "bytes", values: [] };
      out.set(`${this.transform.raw.prefix}${r.name}`, f && f.kind === r.kind ? f : empty);
    }
    return out;
  }

  /** Transform a plain raw row (serving, batch inference): outputs, the label if the row has it, raw copies. */
  applyRow(row: Readonly<Record<string, unknown>>, at?: RowLocation): TransformedRow {
    const get: Getter = (name, kind) => rowScalar(row[name], name, kind);
    const values = this.compute(get, at);
    const out: TransformedRow = {};
    this.outputs.forEach((o, i) => {
      const v = values[i] as OutputValue;
      out[o.name] = typeof v === "number" ? v : this.isVector(o.name) ? Array.from(v) : (v[0] as number);
    });
    const label = this.transform.label;
    if (label && row[label.name] !== undefined && row[label.name] !== null) out[label.name] = this.encodeLabel(get(label.name, label.kind));
    for (const r of this.transform.raw.features) out[`${this.transform.raw.prefix}${r.name}`] = get(r.name, r.kind);
    return out;
  }

  /** The dense float32 model input of a plain raw row (indices as numbers), in {@link outputs} order. */
  vector(row: Readonly<Record<string, unknown>>, at?: RowLocation): Float32Array {
    const get: Getter = (name, kind) => rowScalar(row[name], name, kind);
    const out = new Float32Array(this.width);
    let pos = 0;
    for (const v of this.compute(get, at)) {
      if (typeof v === "number") out[pos++] = v;
      else {
        out.set(v, pos);
        pos += v.length;
      }
    }
    return out;
  }

  private vectors: Set<string> | undefined;
  private isVector(name: string): boolean {
    if (!this.vectors) {
      const t = this.transform;
      this.vectors = new Set([...t.features, ...t.crosses, ...t.custom].filter((s) => s.shape.length > 0).map((s) => s.name));
    }
    return this.vectors.has(name);
  }
}

const compiled = new WeakMap<FittedTransform, CompiledTransform>();

/** Compile a transform (cached per transform object when no options are given). */
export function compileTransform(transform: FittedTransform, options?: ApplyOptions): CompiledTransform {
  if (options) return new CompiledTransform(transform, options);
  let c = compiled.get(transform);
  if (!c) {
    c = new CompiledTransform(transform);
    compiled.set(transform, c);
  }
  return c;
}

/**
 * Apply a fitted transform to one raw row (serving and batch inference): the same code that wrote the
 * transformed training dataset, so the values are identical (float32). Missing features are filled as in
 * training; the label is encoded when the row carries it; unknown columns are ignored.
 * @example
 * ```ts
 * applyTransform(transform, { "Beak Length (mm)": 39.1, Island: "Torgersen", Sex: null });
 * ```
 */
export function applyTransform(transform: FittedTransform, row: Readonly<Record<string, unknown>>, options?: ApplyOptions): TransformedRow {
  return compileTransform(transform, options).applyRow(row);
}

/** The dense float32 model input of one raw row (one-hot vectors expanded, indices as numbers). */
export function transformToVector(transform: FittedTransform, row: Readonly<Record<string, unknown>>, options?: ApplyOptions): Float32Array {
  return compileTransform(transform, options).vector(row);
}
