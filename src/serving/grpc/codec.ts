/**
 * Between gRPC `ModelInferRequest`/`ModelInferResponse` messages (as `@grpc/proto-loader` decodes them, with
 * int64 as numbers) and the server's input and output tensors: typed `contents` per datatype, or
 * `raw_input_contents` (little-endian; BYTES elements each after a 4-byte length).
 * @module
 */
import { badRequest } from "../request-error.js";
import type { InputTensor, OutputTensor } from "../rows.js";
import { bytesValue } from "../tensor.js";

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

const SIZES: Record<string, number> = { BOOL: 1, INT8: 1, UINT8: 1, INT16: 2, UINT16: 2, FP16: 2, INT32: 4, UINT32: 4, FP32: 4, INT64: 8, UINT64: 8, FP64: 8 };

function readRaw(buf: Buffer, datatype: string, input: string): unknown[] {
  if (datatype === "BYTES") {
    const out: unknown[] = [];
    let o = 0;
    while (o < buf.length) {
      if (o + 4 > buf.length) throw badRequest(`input "${input}": raw BYTES contents are truncated`);
      const n = buf.readUInt32LE(o);
      o += 4;
      if (o + n > buf.length) throw badRequest(`input "${input}": raw BYTES contents are truncated`);
      out.push(bytesValue(buf.subarray(o, o + n)));
      o += n;
    }
    return out;
  }
  const size = SIZES[datatype];
  if (!size || datatype === "FP16") throw badRequest(`input "${input}": raw contents of datatype ${datatype} are not supported`);
  if (buf.length % size !== 0) throw badRequest(`input "${input}": ${buf.length} raw bytes are not a whole number of ${datatype} elements`);
  const out: unknown[] = new Array(buf.length / size);
  for (let i = 0, o = 0; o < buf.length; i++, o += size) {
    switch (datatype) {
      case "BOOL": out[i] = buf[o] !== 0; break;
      case "INT8": out[i] = buf.readInt8(o); break;
      case "UINT8": out[i] = buf.readUInt8(o); break;
      case "INT16": out[i] = buf.readInt16LE(o); break;
      case "UINT16": out[i] = buf.readUInt16LE(o); break;
      case "INT32": out[i] = buf.readInt32LE(o); break;
      case "UINT32": out[i] = buf.readUInt32LE(o); break;
      case "FP32": out[i] = buf.readFloatLE(o); break;
      case "FP64": out[i] = buf.readDoubleLE(o); break;
      case "INT64": out[i] = Number(buf.readBigInt64LE(o)); break;
      case "UINT64": out[i] = Number(buf.readBigUInt64LE(o)); break;
    }
  }
  return out;
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
      data = readRaw(raw[i] as Buffer, t.datatype, t.name);
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
