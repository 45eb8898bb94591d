/**
 * Between gRPC `ModelInferRequest`/`ModelInferResponse` messages (as `@grpc/proto-loader` decodes them, with
 * int64 as numbers) and the server's input and output tensors: typed `contents` per datatype, or
 * `raw_input_contents` (little-endian; BYTES elements each after a 4-byte length).
 * @module
 */
import { badRequest } from "../request-error.js";
import type { InputTensor, OutputTensor } from "../rows.js";
import { bytesValue } from "../tensor.js";
import { decodeBinaryTensor } from "../protocols/v2-binary.js";

/** The typed-contents field holding each datatype. */
export const CONTENTS_FIELD: Record<string, string> = {
  BOOL: "bool_contents",
  INT8: "int_contents",
  INT16: "int_contents",
  INT32: "int_contents",
  INT64: "int64_contents",
  UINT8: "uint_contents",
  UINT16: "uint_contents",
  UINT32: "uint_contents",
  UINT64: "uint64_contents",
  FP32: "fp32_contents",
  FP64: "fp64_contents",
  BYTES: "bytes_contents",
};

/** A decoded `InferInputTensor`. */
export interface GrpcInput {
  name: string;
  datatype: string;
  shape: (number | string)[];
  contents?: Record<string, unknown[]> | null;
}

/** A decoded `ModelInferRequest`. */
export interface GrpcInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  inputs: GrpcInput[];
  outputs: { name: string }[];
  raw_input_contents: Buffer[];
}

/** Input tensors of a gRPC request. */
export function grpcInputs(req: GrpcInferRequest): InputTensor[] {
  const raw = req.raw_input_contents ?? [];
  if (raw.length && raw.length !== req.inputs.length) throw badRequest(`raw_input_contents holds ${raw.length} entries for ${req.inputs.length} inputs`);
  return req.inputs.map((t, i) => {
    if (!t.name) throw badRequest(`inputs[${i}] has no name`);
    const shape = t.shape.map((d) => Number(d));
    let data: unknown[];
    if (raw.length) {
      data = decodeBinaryTensor(t.name, t.datatype, undefined, raw[i] as Buffer);
    } else {
      const field = CONTENTS_FIELD[t.datatype];
      if (!field) throw badRequest(`input "${t.name}": unknown datatype ${JSON.stringify(t.datatype)}`);
      const values = (t.contents?.[field] ?? []) as unknown[];
      data = t.datatype === "BYTES" ? values.map((b) => bytesValue(b as Uint8Array)) : values;
    }
    return { name: t.name, datatype: t.datatype, shape, data };
  });
}

/** An output tensor as an `InferOutputTensor`. */
export function grpcOutput(t: OutputTensor): Record<string, unknown> {
  const field = CONTENTS_FIELD[t.datatype] as string;
  const data = t.datatype === "BYTES" ? t.data.map((v) => (v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(String(v), "utf8"))) : t.data;
  return { name: t.name, datatype: t.datatype, shape: t.shape, contents: { [field]: data } };
}
