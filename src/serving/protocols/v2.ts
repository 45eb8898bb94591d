/**
 * Open Inference Protocol (KServe V2) over REST: parsing `$inference_request` bodies into input tensors and
 * writing `$inference_response`, server and model metadata, as `specs/open_inference_protocol/inference_rest.md`
 * defines them, with the binary tensor data extension (see `v2-binary.ts`): binary inputs
 * (`binary_data_size`) and binary outputs (`binary_data`, `binary_data_output`).
 * @module
 */
import type { ServableModel } from "../model.js";
import { badRequest } from "../request-error.js";
import type { InputTensor, OutputTensor } from "../rows.js";
import { describe, elementCount, flattenData } from "../tensor.js";
import { decodeBinaryTensor, encodeBinaryTensor } from "./v2-binary.js";
import { KOAN_VERSION } from "../../version.js";

/** A parsed inference request. */
export interface V2Request {
  readonly id: string | undefined;
  readonly parameters: Record<string, string | number | boolean> | undefined;
  readonly inputs: InputTensor[];
  /** Requested outputs (all when undefined). */
  readonly outputs: string[] | undefined;
  /** Outputs to answer as binary data (the extension). */
  readonly binaryOutputs: ReadonlySet<string> | "all";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Check a `$parameters` object: string, number or boolean values only. */
export function checkParameters(p: unknown, where: string): Record<string, string | number | boolean> | undefined {
  if (p === undefined) return undefined;
  if (!isObject(p)) throw badRequest(`${where}: parameters must be an object`);
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw badRequest(`${where}: parameter "${k}" must be a string, number or boolean, got ${describe(v)}`);
  }
  return p as Record<string, string | number | boolean>;
}

/**
 * Parse and check the structure of an inference request body (values are checked against the signature later).
 * `binary` is the part after the JSON header when the request uses the binary data extension.
 */
export function parseV2Request(body: unknown, binary?: Buffer): V2Request {
  if (!isObject(body)) throw badRequest("the request body must be a JSON object with an \"inputs\" list");
  if (body.id !== undefined && typeof body.id !== "string") throw badRequest("id must be a string");
  const parameters = checkParameters(body.parameters, "request");
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) throw badRequest("inputs must be a non-empty list of input tensors");
  let offset = 0;
  const inputs = body.inputs.map((raw, i): InputTensor => {
    if (!isObject(raw)) throw badRequest(`inputs[${i}] must be an object`);
    const name = raw.name;
    if (typeof name !== "string" || name === "") throw badRequest(`inputs[${i}] has no name`);
    if (typeof raw.datatype !== "string") throw badRequest(`input "${name}": datatype is required`);
    if (!Array.isArray(raw.shape)) throw badRequest(`input "${name}": shape is required (a list of dimensions)`);
    const params = checkParameters(raw.parameters, `input "${name}"`);
    const shape = raw.shape as number[];
    const size = params?.binary_data_size;
    if (size !== undefined) {
      if (typeof size !== "number" || !Number.isInteger(size) || size < 0) throw badRequest(`input "${name}": binary_data_size must be a whole number of bytes`);
      if (raw.data !== undefined) throw badRequest(`input "${name}": give data or binary_data_size, not both`);
      if (!binary) throw badRequest(`input "${name}": binary_data_size needs a binary body (an Inference-Header-Content-Length header)`);
      if (offset + size > binary.length) throw badRequest(`input "${name}": binary_data_size ${size} runs past the end of the binary data (${binary.length - offset} bytes left)`);
      elementCount(shape, name);
      const data = decodeBinaryTensor(name, raw.datatype, shape, binary.subarray(offset, offset + size));
      offset += size;
      return { name, datatype: raw.datatype, shape, data };
    }
    if (raw.data === undefined) throw badRequest(`input "${name}": data is required`);
    return { name, datatype: raw.datatype, shape, data: flattenData(raw.data, shape, name) };
  });
  if (binary && offset !== binary.length) throw badRequest(`the binary data is ${binary.length} bytes, the inputs' binary_data_size add up to ${offset}`);
  let outputs: string[] | undefined;
  const allBinary = parameters?.binary_data_output === true;
  const binaryOutputs = new Set<string>();
  const jsonOutputs = new Set<string>();
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw badRequest("outputs must be a list of requested outputs");
    outputs = body.outputs.map((o, i) => {
      if (!isObject(o) || typeof o.name !== "string") throw badRequest(`outputs[${i}] must be an object with a name`);
      const p = checkParameters(o.parameters, `output "${o.name}"`);
      if (p?.binary_data === true) binaryOutputs.add(o.name);
      if (p?.binary_data === false) jsonOutputs.add(o.name);
      return o.name;
    });
  }
  return {
    id: body.id as string | undefined,
    parameters,
    inputs,
    outputs,
    binaryOutputs: allBinary && jsonOutputs.size === 0 ? "all" : allBinary ? new Set((outputs ?? []).filter((n) => !jsonOutputs.has(n))) : binaryOutputs,
  };
}

/** The `$inference_response` body. */
export function v2Response(model: ServableModel, id: string | undefined, outputs: readonly OutputTensor[]): Record<string, unknown> {
  return {
    model_name: model.name,
    model_version: model.version,
    ...(id !== undefined ? { id } : {}),
    outputs: outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape, data: o.data })),
  };
}

/**
 * The response with some outputs as binary data: the JSON header (those outputs carry
 * `parameters.binary_data_size` instead of `data`) and the raw bytes after it, in output order.
 */
export function v2BinaryResponse(model: ServableModel, id: string | undefined, outputs: readonly OutputTensor[], binary: ReadonlySet<string> | "all"): { header: Buffer; body: Buffer } {
  const parts: Buffer[] = [];
  const json = {
    model_name: model.name,
    model_version: model.version,
    ...(id !== undefined ? { id } : {}),
    outputs: outputs.map((o) => {
      if (binary !== "all" && !binary.has(o.name)) return { name: o.name, datatype: o.datatype, shape: o.shape, data: o.data };
      const bytes = encodeBinaryTensor(o.datatype, o.data);
      parts.push(bytes);
      return { name: o.name, datatype: o.datatype, shape: o.shape, parameters: { binary_data_size: bytes.length } };
    }),
  };
  const header = Buffer.from(JSON.stringify(json), "utf8");
  return { header, body: Buffer.concat([header, ...parts]) };
}

/** `$metadata_server_response`. */
export function serverMetadata(): { name: string; version: string; extensions: string[] } {
  return { name: "koan", version: KOAN_VERSION, extensions: ["binary_tensor_data"] };
}

/** `$metadata_model_response`. */
export function modelMetadata(model: ServableModel): Record<string, unknown> {
  const tensor = (t: { name: string; datatype: string; shape: readonly number[] }) => ({ name: t.name, datatype: t.datatype, shape: [...t.shape] });
  return {
    name: model.name,
    versions: [model.version],
    platform: model.platform ?? "koan",
    inputs: model.signature.inputs.map(tensor),
    outputs: model.signature.outputs.map(tensor),
  };
}
