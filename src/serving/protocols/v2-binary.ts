/**
 * The binary tensor data extension of the Open Inference Protocol's REST API (as Triton and KServe clients speak
 * it): a body is a JSON header of `Inference-Header-Content-Length` bytes followed by raw tensor data. An input
 * whose `parameters.binary_data_size` is N takes the next N bytes; an output asked for with
 * `parameters.binary_data: true` (or every output, with the request's `binary_data_output: true`) is answered
 * the same way. Tensors are row-major and little-endian; a `BYTES` element is a 4-byte little-endian length and
 * its bytes; `BOOL` is one byte per element.
 *
 * @example
 * ```ts
 * const body = Buffer.concat([Buffer.from(json), encodeBinaryTensor("FP32", [1.5, 2])]);
 * // headers: { "inference-header-content-length": String(Buffer.byteLength(json)) }
 * ```
 * @module
 */
import { badRequest } from "../request-error.js";
import type { FeatureValue } from "../model.js";
import { bytesValue } from "../tensor.js";

/** Header naming the JSON part's length. */
export const HEADER_LENGTH = "inference-header-content-length";

const WIDTH: Readonly<Record<string, number>> = { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8 };

/** Split a body into its JSON header and binary part (`length` from the header; undefined: all JSON). */
export function splitBody(body: Buffer, length: string | string[] | undefined): { json: Buffer; binary: Buffer | undefined } {
  if (length === undefined) return { json: body, binary: undefined };
  const n = Number(Array.isArray(length) ? length[0] : length);
  if (!Number.isInteger(n) || n < 0 || n > body.length) throw badRequest(`Inference-Header-Content-Length must be a whole number of bytes within the body (${body.length}), got "${String(length)}"`);
  return { json: body.subarray(0, n), binary: body.subarray(n) };
}

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/**
 * Decode one tensor's raw bytes (this extension's layout, also gRPC's `raw_input_contents`) into flat row-major
 * values; with a shape, the element count must match it. A 400 naming the input when they do not fit.
 */
export function decodeBinaryTensor(name: string, datatype: string, shape: readonly number[] | undefined, bytes: Buffer): FeatureValue[] {
  const count = shape ? shape.reduce((a, b) => a * b, 1) : undefined;
  if (datatype === "BYTES") {
    const out: FeatureValue[] = [];
    let at = 0;
    while (at < bytes.length) {
      if (at + 4 > bytes.length) throw badRequest(`input "${name}": binary BYTES data ends inside an element's length`);
      const len = bytes.readUInt32LE(at);
      at += 4;
      if (at + len > bytes.length) throw badRequest(`input "${name}": binary BYTES element ${out.length} claims ${len} bytes, only ${bytes.length - at} remain`);
      const b = bytes.subarray(at, at + len);
      at += len;
      out.push(bytesValue(new Uint8Array(b)));
    }
    if (shape && out.length !== count) throw badRequest(`input "${name}": binary data holds ${out.length} BYTES elements, shape [${shape.join(", ")}] needs ${count}`);
    return out;
  }
  const width = WIDTH[datatype];
  if (width === undefined) throw badRequest(`input "${name}": unknown datatype "${datatype}"`);
  if (shape && count !== undefined && bytes.length !== count * width) throw badRequest(`input "${name}": binary data is ${bytes.length} bytes, shape [${shape.join(", ")}] of ${datatype} needs ${count * width}`);
  if (bytes.length % width !== 0) throw badRequest(`input "${name}": ${bytes.length} bytes are not a whole number of ${datatype} elements`);
  const n = bytes.length / width;
  const out: FeatureValue[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    switch (datatype) {
      case "BOOL": out[i] = bytes[o] !== 0; break;
      case "UINT8": out[i] = bytes.readUInt8(o); break;
      case "INT8": out[i] = bytes.readInt8(o); break;
      case "UINT16": out[i] = bytes.readUInt16LE(o); break;
      case "INT16": out[i] = bytes.readInt16LE(o); break;
      case "FP16": out[i] = half(bytes.readUInt16LE(o)); break;
      case "UINT32": out[i] = bytes.readUInt32LE(o); break;
      case "INT32": out[i] = bytes.readInt32LE(o); break;
      case "FP32": out[i] = bytes.readFloatLE(o); break;
      case "FP64": out[i] = bytes.readDoubleLE(o); break;
      case "UINT64": out[i] = bytes.readBigUInt64LE(o); break;
      case "INT64": out[i] = bytes.readBigInt64LE(o); break;
    }
  }
  return out;
}

/** Encode flat row-major values of an output tensor as raw bytes. */
export function encodeBinaryTensor(datatype: string, data: readonly FeatureValue[]): Buffer {
  if (datatype === "BYTES") {
    const parts: Buffer[] = [];
    for (const v of data) {
      const b = v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(String(v ?? ""), "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32LE(b.length);
      parts.push(len, b);
    }
    return Buffer.concat(parts);
  }
  const width = WIDTH[datatype] ?? 8;
  const out = Buffer.alloc(data.length * width);
  data.forEach((v, i) => {
    const o = i * width;
    const n = typeof v === "bigint" ? v : Number(v);
    switch (datatype) {
      case "BOOL": out[o] = v ? 1 : 0; break;
      case "INT32": out.writeInt32LE(Number(n), o); break;
      case "INT64": out.writeBigInt64LE(BigInt(typeof n === "bigint" ? n : Math.trunc(n)), o); break;
      case "FP32": out.writeFloatLE(Number(n), o); break;
      default: out.writeDoubleLE(Number(n), o);
    }
  });
  return out;
}
