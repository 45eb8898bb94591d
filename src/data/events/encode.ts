/**
 * Encoding of TensorBoard `Event` protos (the subset in `types.ts`), fields in field-number order.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { WireWriter } from "../example/wire-writer.js";
import * as F from "./fields.js";
import type { EventInit, SummaryMetadata, SummaryValue, TensorValue } from "./types.js";

/**
 * The protobuf bytes of an event.
 * @example
 * ```ts
 * encodeEvent({ wallTime: 1700000000, step: 3, summary: [{ tag: "loss", simpleValue: 0.25 }] });
 * ```
 */
export function encodeEvent(event: EventInit): Uint8Array {
  if (event.fileVersion !== undefined && event.summary !== undefined) {
    throw new KoanError("USAGE", "an event holds either fileVersion or summary, not both");
  }
  const step = event.step ?? 0;
  if (!Number.isSafeInteger(step)) throw new KoanError("USAGE", `event step must be a safe integer, got ${step}`);
  const w = new WireWriter();
  if (event.wallTime !== undefined) w.double(F.EVENT_WALL_TIME, event.wallTime);
  if (step !== 0) w.int64(F.EVENT_STEP, step);
  if (event.fileVersion !== undefined) w.string(F.EVENT_FILE_VERSION, event.fileVersion);
  if (event.summary !== undefined) {
    const summary = new WireWriter();
    for (const value of event.summary) summary.bytes(F.SUMMARY_VALUE, encodeValue(value));
    w.bytes(F.EVENT_SUMMARY, summary.finish());
  }
  return w.finish();
}

function encodeValue(value: SummaryValue): Uint8Array {
  const w = new WireWriter().string(F.VALUE_TAG, value.tag);
  if (value.simpleValue !== undefined) w.float(F.VALUE_SIMPLE_VALUE, value.simpleValue);
  else if (value.tensor !== undefined) w.bytes(F.VALUE_TENSOR, encodeTensor(value.tensor));
  if (value.metadata !== undefined) w.bytes(F.VALUE_METADATA, encodeMetadata(value.metadata));
  return w.finish();
}

function encodeTensor(tensor: TensorValue): Uint8Array {
  const shape = new WireWriter();
  for (const size of tensor.shape) shape.bytes(F.SHAPE_DIM, new WireWriter().int64(F.DIM_SIZE, size).finish());
  const w = new WireWriter().uint32(F.TENSOR_DTYPE, tensor.dtype).bytes(F.TENSOR_SHAPE, shape.finish());
  if (tensor.content !== undefined) w.bytes(F.TENSOR_CONTENT, tensor.content);
  if (tensor.floatVal !== undefined) w.packedFloats(F.TENSOR_FLOAT_VAL, tensor.floatVal);
  if (tensor.doubleVal !== undefined) w.packedDoubles(F.TENSOR_DOUBLE_VAL, tensor.doubleVal);
  return w.finish();
}

function encodeMetadata(metadata: SummaryMetadata): Uint8Array {
  const w = new WireWriter();
  if (metadata.pluginName !== undefined || metadata.pluginContent !== undefined) {
    const plugin = new WireWriter();
    if (metadata.pluginName !== undefined) plugin.string(F.PLUGIN_DATA_NAME, metadata.pluginName);
    if (metadata.pluginContent !== undefined && metadata.pluginContent.length > 0) {
      plugin.bytes(F.PLUGIN_DATA_CONTENT, metadata.pluginContent);
    }
    w.bytes(F.METADATA_PLUGIN_DATA, plugin.finish());
  }
  if (metadata.displayName !== undefined) w.string(F.METADATA_DISPLAY_NAME, metadata.displayName);
  if (metadata.summaryDescription !== undefined) w.string(F.METADATA_SUMMARY_DESCRIPTION, metadata.summaryDescription);
  if (metadata.dataClass !== undefined && metadata.dataClass !== 0) w.uint32(F.METADATA_DATA_CLASS, metadata.dataClass);
  return w.finish();
}
