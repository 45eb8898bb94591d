/**
 * Between named tensors and rows: a request's input tensors (validated against the signature) become the
 * raw-feature rows a servable predicts from, and its answer rows become output tensors. Every protocol front
 * end goes through here, so validation and messages are the same for V2 REST, gRPC, TF Serving and Vertex AI.
 * @module
 */
import type { Datatype, FeatureValue, Signature, TensorSpec } from "./model.js";
import { badRequest, RequestError } from "./request-error.js";
import { coerceElement, compatible, elementCount, isWireDatatype, nest } from "./tensor.js";

/** An input tensor of a request, its data already flattened row-major. */
export interface InputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
}

/** An output tensor of a response, data flat row-major. */
export interface OutputTensor {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: number[];
  readonly data: FeatureValue[];
}

/** A raw-feature row. */
export type Row = Record<string, FeatureValue>;

const scalarish = (dims: readonly number[]): boolean => dims.length === 0 || (dims.length === 1 && dims[0] === 1);

function rowDims(spec: TensorSpec, shape: readonly number[]): number[] {
  const want = spec.shape.slice(1);
  const have = shape.slice(1);
  if (scalarish(want) && scalarish(have)) return [];
  if (want.length === have.length && want.every((d, i) => d === -1 || d === have[i])) return [...have];
  throw badRequest(`input "${spec.name}": shape ${JSON.stringify(shape)} does not fit the model's shape ${JSON.stringify(spec.shape)} (-1: any size)`);
}

/** Check that requested output names exist. */
export function checkRequestedOutputs(signature: Signature, names: readonly string[] | undefined): void {
  if (!names) return;
  const known = new Set(signature.outputs.map((o) => o.name));
  const seen = new Set<string>();
  for (const n of names) {
    if (!known.has(n)) throw badRequest(`unknown output "${n}": the model's outputs are ${[...known].join(", ")}`);
    if (seen.has(n)) throw badRequest(`output "${n}" is requested twice`);
    seen.add(n);
  }
}

/**
 * Rows from input tensors, validated against the signature: names (unknown, missing, twice), datatypes, shapes,
 * element counts and values. Every failure is a 400 naming the input.
 */
export function tensorsToRows(signature: Signature, tensors: readonly InputTensor[]): Row[] {
  const specs = new Map(signature.inputs.map((s) => [s.name, s] as const));
  const given = new Map<string, InputTensor>();
  for (const t of tensors) {
    if (typeof t.name !== "string") throw badRequest("every input needs a name");
    if (!specs.has(t.name)) throw badRequest(`unknown input "${t.name}": the model's inputs are ${[...specs.keys()].join(", ")}`);
    if (given.has(t.name)) throw badRequest(`input "${t.name}" is given twice`);
    given.set(t.name, t);
  }
  for (const s of signature.inputs) {
    if (!given.has(s.name) && !s.optional) throw badRequest(`missing input "${s.name}" (${s.datatype}, shape ${JSON.stringify(s.shape)})`);
  }
  let batch = -1;
  let batchFrom = "";
  const columns: { spec: TensorSpec; dims: number[]; block: number; values: FeatureValue[] }[] = [];
  for (const t of given.values()) {
    const spec = specs.get(t.name) as TensorSpec;
    if (!isWireDatatype(t.datatype)) throw badRequest(`input "${t.name}": unknown datatype ${JSON.stringify(t.datatype)}`);
    if (!compatible(t.datatype, spec.datatype)) throw badRequest(`input "${t.name}": datatype ${t.datatype} does not match the model's ${spec.datatype}`);
    if (!Array.isArray(t.shape) || t.shape.length === 0) throw badRequest(`input "${t.name}": shape must be a list starting with the batch size`);
    const count = elementCount(t.shape, t.name);
    if (t.data.length !== count) throw badRequest(`input "${t.name}": data holds ${t.data.length} elements but shape ${JSON.stringify(t.shape)} needs ${count}`);
    const n = t.shape[0] as number;
    if (batch === -1) {
      batch = n;
      batchFrom = t.name;
    } else if (n !== batch) {
      throw badRequest(`input "${t.name}" has batch size ${n} but input "${batchFrom}" has ${batch}: every input needs the same first dimension`);
    }
    const dims = rowDims(spec, t.shape);
    const values = new Array<FeatureValue>(count);
    for (let i = 0; i < count; i++) values[i] = coerceElement(t.data[i], t.datatype, spec.datatype, t.name, i);
    columns.push({ spec, dims, block: dims.reduce((a, b) => a * b, 1), values });
  }
  const rows: Row[] = new Array(Math.max(batch, 0));
  const missing = signature.inputs.filter((s) => !given.has(s.name)).map((s) => s.name);
  for (let i = 0; i < rows.length; i++) {
    const row: Row = {};
    for (const c of columns) row[c.spec.name] = c.dims.length === 0 ? (c.values[i] as FeatureValue) : nest(c.values, i * c.block, c.dims);
    for (const m of missing) row[m] = null;
    rows[i] = row;
  }
  return rows;
}

function dimsOf(v: FeatureValue): number[] {
  const dims: number[] = [];
  let x: unknown = v;
  while (Array.isArray(x)) {
    dims.push(x.length);
    x = x[0];
  }
  return dims;
}

function flattenInto(v: FeatureValue, out: FeatureValue[]): void {
  if (Array.isArray(v)) for (const x of v) flattenInto(x, out);
  else out.push(v);
}

/** One output value as plain JSON-friendly data for its datatype (bigint → number, bytes → string). */
function plain(v: FeatureValue, datatype: Datatype, output: string): FeatureValue {
  if (typeof v === "bigint") {
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw new RequestError(500, `model output "${output}" holds ${v}, beyond the exact range of JSON numbers`);
    return Number(v);
  }
  if (v instanceof Uint8Array && datatype === "BYTES") return Buffer.from(v).toString("utf8");
  return v;
}

/**
 * Output tensors from the model's answer rows (all outputs, or the requested ones). A malformed answer (wrong row
 * count, a missing output, ragged values) is a 500: the model broke its signature, not the client.
 */
export function rowsToTensors(signature: Signature, rows: readonly Row[], batch: number, requested?: readonly string[]): OutputTensor[] {
  if (!Array.isArray(rows) || rows.length !== batch) {
    throw new RequestError(500, `the model answered ${Array.isArray(rows) ? rows.length : "no"} rows for ${batch} input rows`);
  }
  const want = requested ? signature.outputs.filter((o) => requested.includes(o.name)) : signature.outputs;
  return want.map((spec) => {
    const rest = spec.shape.slice(1);
    let dims: number[] | undefined;
    const data: FeatureValue[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!row || !(spec.name in row)) throw new RequestError(500, `the model's answer for row ${i} has no output "${spec.name}"`);
      let v = row[spec.name] as FeatureValue;
      let d = dimsOf(v);
      if (scalarish(rest) && d.length === 0 && rest.length === 1) {
        v = [v];
        d = [1];
      }
      if (dims === undefined) {
        const ok = d.length === rest.length && rest.every((x, j) => x === -1 || x === d[j]);
        if (!ok) throw new RequestError(500, `model output "${spec.name}" has shape ${JSON.stringify(d)} per row, not ${JSON.stringify(rest)}`);
        dims = d;
      } else if (d.length !== dims.length || d.some((x, j) => x !== (dims as number[])[j])) {
        throw new RequestError(500, `model output "${spec.name}" is ragged: row ${i} has shape ${JSON.stringify(d)}, row 0 ${JSON.stringify(dims)}`);
      }
      const before = data.length;
      flattenInto(v, data);
      for (let j = before; j < data.length; j++) data[j] = plain(data[j] as FeatureValue, spec.datatype, spec.name);
    }
    const shape = [rows.length, ...(dims ?? rest.map((x) => (x === -1 ? 0 : x)))];
    return { name: spec.name, datatype: spec.datatype, shape, data };
  });
}

/** Per-row values of one output tensor (the inverse of {@link rowsToTensors} for one output). */
export function outputValues(t: OutputTensor): FeatureValue[] {
  const n = t.shape[0] as number;
  const dims = t.shape.slice(1);
  const block = dims.reduce((a, b) => a * b, 1);
  const out: FeatureValue[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = dims.length === 0 ? (t.data[i] as FeatureValue) : nest(t.data, i * block, dims);
  return out;
}
