/**
 * The JSON form of a {@link StatisticsAccumulator} and its validation, so that accumulators built on different
 * workers can be shipped as JSON and merged. The state holds finite numbers only (canonical-JSON safe).
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { FeatureState } from "./feature-accumulator.js";
import type { KllState } from "./kll.js";
import { resolveStatsOptions, type ResolvedStatsOptions } from "./options.js";

/** Marker of the state format. */
export const ACCUMULATOR_STATE_FORMAT = "koan.data.stats.accumulator";
/** Version of the state format this code reads and writes. */
export const ACCUMULATOR_STATE_VERSION = 1;

/** JSON form of a statistics accumulator. */
export interface AccumulatorState {
  readonly format: typeof ACCUMULATOR_STATE_FORMAT;
  readonly version: typeof ACCUMULATOR_STATE_VERSION;
  readonly options: ResolvedStatsOptions;
  readonly numExamples: number;
  /** Sorted by name. */
  readonly features: readonly FeatureState[];
}

type Obj = Record<string, unknown>;

/**
 * Check that `value` is a well-formed accumulator state (as produced by `toJSON`, possibly after a JSON round
 * trip) and return it typed.
 * @throws KoanError `FORMAT_INVALID` naming the first problem.
 */
export function parseAccumulatorState(value: unknown): AccumulatorState {
  const s = obj(value, "$");
  if (s.format !== ACCUMULATOR_STATE_FORMAT) fail("$.format", `must be "${ACCUMULATOR_STATE_FORMAT}"`);
  if (s.version !== ACCUMULATOR_STATE_VERSION) fail("$.version", `must be ${ACCUMULATOR_STATE_VERSION}, got ${String(s.version)}`);
  let options: ResolvedStatsOptions;
  try {
    options = resolveStatsOptions(obj(s.options, "$.options"));
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `invalid statistics accumulator state at $.options: ${(e as Error).message}`, { cause: e });
  }
  const numExamples = count(s.numExamples, "$.numExamples");
  if (!Array.isArray(s.features)) fail("$.features", "must be an array");
  const features = (s.features as unknown[]).map((f, i) => featureState(f, `$.features[${i}]`, options, numExamples));
  return { format: ACCUMULATOR_STATE_FORMAT, version: ACCUMULATOR_STATE_VERSION, options, numExamples, features };
}

function featureState(value: unknown, path: string, options: ResolvedStatsOptions, numExamples: number): FeatureState {
  const f = obj(value, path);
  const name = str(f.name, `${path}.name`);
  const kind = f.kind;
  if (kind !== "bytes" && kind !== "float" && kind !== "int64") fail(`${path}.kind`, "must be bytes, float or int64");
  const numNonMissing = count(f.numNonMissing, `${path}.numNonMissing`);
  if (numNonMissing > numExamples) fail(`${path}.numNonMissing`, "exceeds numExamples");
  const numValues = kll(f.numValues, `${path}.numValues`, options);
  if (numValues.n !== numNonMissing) fail(`${path}.numValues.n`, "must equal numNonMissing");
  const numeric = kind === "bytes" ? null : numericState(f.numeric, `${path}.numeric`, options);
  const strings = kind === "bytes" ? stringState(f.strings, `${path}.strings`, options) : null;
  return {
    name,
    kind: kind as FeatureState["kind"],
    typed: bool(f.typed, `${path}.typed`),
    numNonMissing,
    minNumValues: nullableCount(f.minNumValues, `${path}.minNumValues`),
    maxNumValues: nullableCount(f.maxNumValues, `${path}.maxNumValues`),
    totNumValues: count(f.totNumValues, `${path}.totNumValues`),
    numValues,
    numeric,
    strings,
  };
}

function numericState(value: unknown, path: string, options: ResolvedStatsOptions): NonNullable<FeatureState["numeric"]> {
  const n = obj(value, path);
  const m = obj(n.moments, `${path}.moments`);
  const sketch = kll(n.sketch, `${path}.sketch`, options);
  const moments = { count: count(m.count, `${path}.moments.count`), mean: num(m.mean, `${path}.moments.mean`), m2: num(m.m2, `${path}.moments.m2`) };
  if (sketch.n !== moments.count) fail(`${path}.sketch.n`, "must equal moments.count");
  return {
    moments,
    min: nullableNum(n.min, `${path}.min`),
    max: nullableNum(n.max, `${path}.max`),
    numZeros: count(n.numZeros, `${path}.numZeros`),
    numNan: count(n.numNan, `${path}.numNan`),
    numPosInf: count(n.numPosInf, `${path}.numPosInf`),
    numNegInf: count(n.numNegInf, `${path}.numNegInf`),
    sketch,
  };
}

function stringState(value: unknown, path: string, options: ResolvedStatsOptions): NonNullable<FeatureState["strings"]> {
  const s = obj(value, path);
  const v = obj(s.values, `${path}.values`);
  if (!Array.isArray(v.entries)) fail(`${path}.values.entries`, "must be an array");
  const entries = (v.entries as unknown[]).map((e, i): [string, number] => {
    const p = `${path}.values.entries[${i}]`;
    if (!Array.isArray(e) || e.length !== 2) fail(p, "must be a [value, count] pair");
    const [k, c] = e as unknown[];
    const key = str(k, p);
    if (/[^\u0000-\u00ff]/.test(key)) fail(p, "value must be a binary string (char codes below 256)");
    return [key, count(c, p)];
  });
  let hll: { precision: number; registers: string } | null = null;
  if (v.hll !== null && v.hll !== undefined) {
    const h = obj(v.hll, `${path}.values.hll`);
    hll = { precision: count(h.precision, `${path}.values.hll.precision`), registers: str(h.registers, `${path}.values.hll.registers`) };
    if (hll.precision !== options.hllPrecision) fail(`${path}.values.hll.precision`, `must equal options.hllPrecision (${options.hllPrecision})`);
  }
  return {
    totalBytes: count(s.totalBytes, `${path}.totalBytes`),
    minBytes: nullableCount(s.minBytes, `${path}.minBytes`),
    maxBytes: nullableCount(s.maxBytes, `${path}.maxBytes`),
    invalidUtf8: count(s.invalidUtf8, `${path}.invalidUtf8`),
    values: { entries, hll },
  };
}

function kll(value: unknown, path: string, options: ResolvedStatsOptions): KllState {
  const k = obj(value, path);
  if (k.k !== options.quantileSketchK) fail(`${path}.k`, `must equal options.quantileSketchK (${options.quantileSketchK})`);
  if (!Array.isArray(k.levels) || !Array.isArray(k.parity)) fail(path, "levels and parity must be arrays");
  return { k: k.k as number, n: count(k.n, `${path}.n`), levels: k.levels as number[][], parity: k.parity as number[] };
}

function obj(v: unknown, path: string): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail(path, "must be an object");
  return v as Obj;
}
function str(v: unknown, path: string): string {
  if (typeof v !== "string") fail(path, "must be a string");
  return v as string;
}
function num(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) fail(path, "must be a finite number");
  return v as number;
}
function count(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) fail(path, "must be a non-negative integer");
  return v as number;
}
function bool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") fail(path, "must be a boolean");
  return v as boolean;
}
function nullableNum(v: unknown, path: string): number | null {
  return v === null ? null : num(v, path);
}
function nullableCount(v: unknown, path: string): number | null {
  return v === null ? null : count(v, path);
}
function fail(path: string, why: string): never {
  throw new KoanError("FORMAT_INVALID", `invalid statistics accumulator state at ${path}: ${why}`, {
    hint: "pass the value returned by StatisticsAccumulator.toJSON() (after JSON.parse if it was serialized)",
    details: { path },
  });
}
