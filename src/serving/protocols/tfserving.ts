/**
 * TensorFlow Serving's REST API (`specs/tf_serving/api_rest.md`): model status, model metadata (a
 * `serving_default` signature def) and `:predict` with `instances` (row format, answering `predictions`) or
 * `inputs` (columnar, answering `outputs`). `:classify` and `:regress` are not offered.
 * @module
 */
import type { Datatype, ServableModel, TensorSpec } from "../model.js";
import { badRequest } from "../request-error.js";
import type { InputTensor } from "../rows.js";
import { columnsToTensors, instancesToTensors } from "./instances.js";

const DTYPES: Record<Datatype, string> = { BOOL: "DT_BOOL", INT32: "DT_INT32", INT64: "DT_INT64", FP32: "DT_FLOAT", FP64: "DT_DOUBLE", BYTES: "DT_STRING" };

/** A parsed predict request. */
export interface TfPredictRequest {
  readonly format: "row" | "columnar";
  readonly inputs: InputTensor[];
}

/** Parse a `:predict` body. */
export function parseTfPredict(model: ServableModel, body: unknown): TfPredictRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object with "instances" or "inputs"');
  const b = body as Record<string, unknown>;
  const sig = b.signature_name;
  if (sig !== undefined && sig !== "" && sig !== "serving_default") throw badRequest(`serving signature name "${String(sig)}" not found: the model has "serving_default"`);
  const hasInstances = "instances" in b;
  const hasInputs = "inputs" in b;
  if (hasInstances && hasInputs) throw badRequest('give "instances" (row format) or "inputs" (columnar format), not both');
  if (hasInstances) return { format: "row", inputs: instancesToTensors(model.signature, b.instances) };
  if (hasInputs) return { format: "columnar", inputs: columnsToTensors(model.signature, b.inputs) };
  throw badRequest('missing "instances" or "inputs"');
}

/** `GetModelStatusResponse` as JSON. */
export function tfModelStatus(model: ServableModel, ready: boolean): Record<string, unknown> {
  return {
    model_version_status: [{ version: model.version, state: ready ? "AVAILABLE" : "UNLOADING", status: { error_code: "OK", error_message: "" } }],
  };
}

const tensorInfo = (t: TensorSpec) => ({
  dtype: DTYPES[t.datatype],
  tensor_shape: { dim: t.shape.map((d) => ({ size: String(d), name: "" })), unknown_rank: false },
  name: t.name,
});

/** `GetModelMetadataResponse` as JSON, with one `serving_default` signature. */
export function tfModelMetadata(model: ServableModel): Record<string, unknown> {
  return {
    model_spec: { name: model.name, signature_name: "", version: model.version },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: Object.fromEntries(model.signature.inputs.map((t) => [t.name, tensorInfo(t)])),
            outputs: Object.fromEntries(model.signature.outputs.map((t) => [t.name, tensorInfo(t)])),
            method_name: "tensorflow/serving/predict",
            defaults: {},
          },
        },
      },
    },
  };
}
