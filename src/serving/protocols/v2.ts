/**
 * Open Inference Protocol (KServe V2) over REST: parsing `$inference_request` bodies into input tensors and
 * writing `$inference_response`, server and model metadata, as `specs/open_inference_protocol/inference_rest.md`
 * defines them. The binary tensor data extension is not supported: `binary_data_output` / `binary_data` are
 * accepted and answered with JSON data (clients read an answer without `Inference-Header-Content-Length` as
 * JSON); binary request data (`binary_data_size`) is refused.
 * @module
 */
import type { ServableModel } from "../model.js";
import { badRequest } from "../request-error.js";
import type { InputTensor, OutputTensor } from "../rows.js";
import { describe, flattenData } from "../tensor.js";
import { KOAN_VERSION } from "../../version.js";

/** A parsed inference request. */
export interface V2Request {
  readonly id: string | undefined;
  readonly parameters: Record<string, string | number | boolean> | undefined;
  readonly inputs: InputTensor[];
  /** Requested outputs (all when undefined). */
  readonly outputs: string[] | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Check a `$parameters` object: string, number or boolean values only. */
export function checkParameters(p: unknown, where: string): Record<string, string | number | boolean> | undefined {
  if (p === undefined) return undefined;
  if (!isObject(p)) throw badRequest(`${where}: parameters must be an object`);
  for (const [k, v] of Object.entries(p)) {
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") throw badRequest(`${where}: parameter "${k}" must be a string, number or boolean, got ${describe(v)}`);
  }
  if ("binary_data_size" in p) throw badRequest(`${where}: binary tensor data (parameter "binary_data_size") is not supported; send the data as JSON`);
  return p as Record<string, string | number | boolean>;
}

/** Parse and check the structure of an inference request body (values are checked against the signature later). */
export function parseV2Request(body: unknown): V2Request {
  if (!isObject(body)) throw badRequest("the request body must be a JSON object with an \"inputs\" list");
  if (body.id !== undefined && typeof body.id !== "string") throw badRequest("id must be a string");
  const parameters = checkParameters(body.parameters, "request");
  if (!Array.isArray(body.inputs) || body.inputs.length === 0) throw badRequest("inputs must be a non-empty list of input tensors");
  const inputs = body.inputs.map((raw, i): InputTensor => {
    if (!isObject(raw)) throw badRequest(`inputs[${i}] must be an object`);
    const name = raw.name;
    if (typeof name !== "string" || name === "") throw badRequest(`inputs[${i}] has no name`);
    if (typeof raw.datatype !== "string") throw badRequest(`input "${name}": datatype is required`);
    if (!Array.isArray(raw.shape)) throw badRequest(`input "${name}": shape is required (a list of dimensions)`);
    checkParameters(raw.parameters, `input "${name}"`);
    if (raw.data === undefined) throw badRequest(`input "${name}": data is required`);
    const shape = raw.shape as number[];
    return { name, datatype: raw.datatype, shape, data: flattenData(raw.data, shape, name) };
  });
  let outputs: string[] | undefined;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw badRequest("outputs must be a list of requested outputs");
    outputs = body.outputs.map((o, i) => {
      if (!isObject(o) || typeof o.name !== "string") throw badRequest(`outputs[${i}] must be an object with a name`);
      checkParameters(o.parameters, `output "${o.name}"`);
      return o.name;
    });
  }
  return { id: body.id as string | undefined, parameters, inputs, outputs };
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

/** `$metadata_server_response`. */
export function serverMetadata(): { name: string; version: string; extensions: string[] } {
  return { name: "koan", version: KOAN_VERSION, extensions: [] };
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
