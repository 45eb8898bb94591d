/**
 * Row-format (`instances`) and columnar (`inputs`) request bodies, as TF Serving's REST API and Vertex AI use
 * them: per-instance values (scalars, nested lists, `{"b64": ...}` for binary) become input tensors checked
 * against the signature like any other request.
 * @module
 */
import type { FeatureValue, Signature, TensorSpec } from "../model.js";
import { badRequest } from "../request-error.js";
import { outputValues, type InputTensor, type OutputTensor } from "../rows.js";
import { flattenData } from "../tensor.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** `{"b64": "..."}` → bytes, recursively through lists. */
function decodeB64(v: unknown, input: string): unknown {
  if (Array.isArray(v)) return v.map((x) => decodeB64(x, input));
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "b64" && typeof v.b64 === "string") {
      const s = v.b64.replace(/\s+/g, "");
      if (!BASE64.test(s)) throw badRequest(`input "${input}": "b64" holds invalid base64`);
      return new Uint8Array(Buffer.from(s, "base64"));
    }
    throw badRequest(`input "${input}": objects are only allowed as {"b64": "<base64>"}`);
  }
  return v;
}

function dimsOf(v: unknown): number[] {
  const dims: number[] = [];
  let x = v;
  while (Array.isArray(x)) {
    dims.push(x.length);
    x = x[0];
  }
  return dims;
}

/** An input tensor from per-row values (each the value of one instance). */
function tensorOf(spec: TensorSpec | undefined, name: string, values: readonly unknown[]): InputTensor {
  const decoded = values.map((v) => decodeB64(v, name));
  const dims = dimsOf(decoded[0]);
  const data: unknown[] = [];
  decoded.forEach((v, i) => {
    const d = dimsOf(v);
    if (d.length !== dims.length || d.some((x, j) => x !== dims[j])) throw badRequest(`input "${name}": instance ${i} has shape ${JSON.stringify(d)} but instance 0 has ${JSON.stringify(dims)}`);
    if (d.length === 0) data.push(v);
    else data.push(...flattenData(v, d, name));
  });
  return { name, datatype: spec?.datatype ?? "BYTES", shape: [values.length, ...dims], data };
}

/**
 * Input tensors from `instances`: a list of objects keyed by input name or, for a model with one input, of that
 * input's values.
 */
export function instancesToTensors(signature: Signature, instances: unknown): InputTensor[] {
  if (!Array.isArray(instances) || instances.length === 0) throw badRequest("instances must be a non-empty list");
  const specs = new Map(signature.inputs.map((s) => [s.name, s] as const));
  const single = signature.inputs.length === 1 ? (signature.inputs[0] as TensorSpec) : undefined;
  const named = isObject(instances[0]) && !(single && Object.keys(instances[0]).length === 1 && "b64" in instances[0]);
  if (!named) {
    if (!single) throw badRequest(`instance 0 must be an object keyed by the model's inputs: ${[...specs.keys()].join(", ")}`);
    return [tensorOf(single, single.name, instances)];
  }
  const keys = Object.keys(instances[0] as object);
  instances.forEach((inst, i) => {
    if (!isObject(inst)) throw badRequest(`instance ${i} must be an object like instance 0`);
    const k = Object.keys(inst);
    const missing = keys.find((x) => !(x in inst));
    const extra = k.find((x) => !keys.includes(x));
    if (missing !== undefined) throw badRequest(`instance ${i} has no input "${missing}" (instance 0 has it)`);
    if (extra !== undefined) throw badRequest(`instance ${i} has input "${extra}" that instance 0 has not`);
  });
  return keys.map((k) => tensorOf(specs.get(k), k, instances.map((inst) => (inst as Record<string, unknown>)[k])));
}

/** Input tensors from columnar `inputs`: an object of batched values by input name, or one input's batch. */
export function columnsToTensors(signature: Signature, inputs: unknown): InputTensor[] {
  const specs = new Map(signature.inputs.map((s) => [s.name, s] as const));
  const single = signature.inputs.length === 1 ? (signature.inputs[0] as TensorSpec) : undefined;
  const column = (name: string, v: unknown): InputTensor => {
    if (!Array.isArray(v)) throw badRequest(`input "${name}": give a list with one entry per row`);
    return tensorOf(specs.get(name), name, v);
  };
  if (isObject(inputs) && !("b64" in inputs && Object.keys(inputs).length === 1)) {
    return Object.entries(inputs).map(([k, v]) => column(k, v));
  }
  if (!single) throw badRequest(`inputs must be an object keyed by the model's inputs: ${[...specs.keys()].join(", ")}`);
  return [column(single.name, inputs)];
}

/** Output value as JSON for TF Serving / Vertex AI (bytes outputs named `*_bytes` as `{"b64": ...}`). */
function jsonValue(v: FeatureValue, name: string): unknown {
  if (Array.isArray(v)) return v.map((x) => jsonValue(x, name));
  if (name.endsWith("_bytes") && (typeof v === "string" || v instanceof Uint8Array)) return { b64: Buffer.from(v as string | Uint8Array).toString("base64") };
  return v;
}

/** `predictions`: one entry per row, the value itself for one output, else an object of outputs. */
export function predictionsOf(outputs: readonly OutputTensor[]): unknown[] {
  const perOutput = outputs.map((t) => outputValues(t).map((v) => jsonValue(v, t.name)));
  const n = outputs.length ? (outputs[0] as OutputTensor).shape[0] as number : 0;
  if (outputs.length === 1) return perOutput[0] as unknown[];
  const rows: unknown[] = [];
  for (let i = 0; i < n; i++) rows.push(Object.fromEntries(outputs.map((t, j) => [t.name, (perOutput[j] as unknown[])[i]])));
  return rows;
}

/** Columnar `outputs`: the batched value for one output, else an object of batched values. */
export function columnsOf(outputs: readonly OutputTensor[]): unknown {
  const perOutput = outputs.map((t) => outputValues(t).map((v) => jsonValue(v, t.name)));
  if (outputs.length === 1) return perOutput[0];
  return Object.fromEntries(outputs.map((t, j) => [t.name, perOutput[j]]));
}
