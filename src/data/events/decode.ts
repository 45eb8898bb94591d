/**
 * Decoding of TensorBoard `Event` protos (the subset in `types.ts`). Unknown fields are skipped by wire type,
 * so events from newer TensorFlow versions decode too.
 * @module
 */
import { WireReader, WireType } from "../example/wire-reader.js";
import * as F from "./fields.js";
import type { Event, EventKind, SummaryMetadata, SummaryValue, SummaryValueKind, TensorValue } from "./types.js";

const EVENT_KINDS: ReadonlyMap<number, EventKind> = new Map([
  [F.EVENT_FILE_VERSION, "file_version"],
  [F.EVENT_GRAPH_DEF, "graph_def"],
  [F.EVENT_SUMMARY, "summary"],
  [F.EVENT_LOG_MESSAGE, "log_message"],
  [F.EVENT_SESSION_LOG, "session_log"],
  [F.EVENT_TAGGED_RUN_METADATA, "tagged_run_metadata"],
  [F.EVENT_META_GRAPH_DEF, "meta_graph_def"],
]);

const VALUE_KINDS: ReadonlyMap<number, SummaryValueKind> = new Map([
  [F.VALUE_SIMPLE_VALUE, "simple_value"],
  [F.VALUE_OBSOLETE_OLD_STYLE_HISTOGRAM, "obsolete_old_style_histogram"],
  [F.VALUE_IMAGE, "image"],
  [F.VALUE_HISTO, "histo"],
  [F.VALUE_AUDIO, "audio"],
  [F.VALUE_TENSOR, "tensor"],
]);

/** A mutable view of an object type, for building decoded values field by field. */
type Building<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Decodes one event record. Malformed input is a `FORMAT_INVALID` KoanError naming the byte position.
 * @example
 * ```ts
 * const event = decodeEvent(record);
 * if (event.kind === "summary") for (const v of event.summary ?? []) console.log(v.tag);
 * ```
 */
export function decodeEvent(bytes: Uint8Array): Event {
  const r = new WireReader(bytes, "tensorboard.Event");
  const event: Building<Event> = { wallTime: undefined, step: 0, kind: undefined };
  while (!r.atEnd()) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === F.EVENT_WALL_TIME && wire === WireType.I64) {
      event.wallTime = r.double();
    } else if (field === F.EVENT_STEP && wire === WireType.VARINT) {
      event.step = r.int64Number();
    } else if (field === F.EVENT_FILE_VERSION && wire === WireType.LEN) {
      event.kind = "file_version";
      event.fileVersion = r.string();
      delete event.summary;
    } else if (field === F.EVENT_SUMMARY && wire === WireType.LEN) {
      const outer = r.enter();
      const values = event.kind === "summary" && event.summary !== undefined ? [...event.summary] : [];
      readSummary(r, values);
      r.leave(outer);
      event.kind = "summary";
      event.summary = values;
      delete event.fileVersion;
    } else {
      const kind = EVENT_KINDS.get(field);
      if (kind !== undefined && wire === WireType.LEN) {
        event.kind = kind;
        delete event.fileVersion;
        delete event.summary;
      }
      r.skip(tag);
    }
  }
  return event;
}

function readSummary(r: WireReader, out: SummaryValue[]): void {
  while (!r.atEnd()) {
    const tag = r.tag();
    if (tag >>> 3 === F.SUMMARY_VALUE && (tag & 7) === WireType.LEN) {
      const outer = r.enter();
      out.push(readValue(r));
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
}

function readValue(r: WireReader): SummaryValue {
  const value: Building<SummaryValue> = { tag: "" };
  while (!r.atEnd()) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === F.VALUE_TAG && wire === WireType.LEN) {
      value.tag = r.string();
      continue;
    }
    if (field === F.VALUE_METADATA && wire === WireType.LEN) {
      const outer = r.enter();
      value.metadata = readMetadata(r);
      r.leave(outer);
      continue;
    }
    const kind = VALUE_KINDS.get(field);
    if (kind === undefined) {
      r.skip(tag);
      continue;
    }
    value.kind = kind;
    delete value.simpleValue;
    delete value.tensor;
    if (kind === "simple_value" && wire === WireType.I32) {
      value.simpleValue = r.float();
    } else if (kind === "tensor" && wire === WireType.LEN) {
      const outer = r.enter();
      value.tensor = readTensor(r);
      r.leave(outer);
    } else {
      r.skip(tag);
    }
  }
  return value;
}

function readMetadata(r: WireReader): SummaryMetadata {
  const metadata: Building<SummaryMetadata> = {};
  while (!r.atEnd()) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === F.METADATA_PLUGIN_DATA && wire === WireType.LEN) {
      const outer = r.enter();
      while (!r.atEnd()) {
        const inner = r.tag();
        if (inner >>> 3 === F.PLUGIN_DATA_NAME && (inner & 7) === WireType.LEN) metadata.pluginName = r.string();
        else if (inner >>> 3 === F.PLUGIN_DATA_CONTENT && (inner & 7) === WireType.LEN) metadata.pluginContent = r.bytes();
        else r.skip(inner);
      }
      r.leave(outer);
    } else if (field === F.METADATA_DISPLAY_NAME && wire === WireType.LEN) {
      metadata.displayName = r.string();
    } else if (field === F.METADATA_SUMMARY_DESCRIPTION && wire === WireType.LEN) {
      metadata.summaryDescription = r.string();
    } else if (field === F.METADATA_DATA_CLASS && wire === WireType.VARINT) {
      metadata.dataClass = r.uint32();
    } else {
      r.skip(tag);
    }
  }
  return metadata;
}

function readTensor(r: WireReader): TensorValue {
  let dtype = 0;
  const shape: number[] = [];
  let content: Uint8Array | undefined;
  const floats: number[] = [];
  const doubles: number[] = [];
  while (!r.atEnd()) {
    const tag = r.tag();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === F.TENSOR_DTYPE && wire === WireType.VARINT) {
      dtype = r.uint32();
    } else if (field === F.TENSOR_SHAPE && wire === WireType.LEN) {
      const outer = r.enter();
      shape.length = 0;
      readShape(r, shape);
      r.leave(outer);
    } else if (field === F.TENSOR_CONTENT && wire === WireType.LEN) {
      content = r.bytes();
    } else if (field === F.TENSOR_FLOAT_VAL) {
      readRepeated(r, tag, 4, floats);
    } else if (field === F.TENSOR_DOUBLE_VAL) {
      readRepeated(r, tag, 8, doubles);
    } else {
      r.skip(tag);
    }
  }
  const tensor: Building<TensorValue> = { dtype, shape };
  if (content !== undefined) tensor.content = content;
  if (floats.length > 0) tensor.floatVal = Float32Array.from(floats);
  if (doubles.length > 0) tensor.doubleVal = Float64Array.from(doubles);
  return tensor;
}

function readShape(r: WireReader, shape: number[]): void {
  while (!r.atEnd()) {
    const tag = r.tag();
    if (tag >>> 3 !== F.SHAPE_DIM || (tag & 7) !== WireType.LEN) {
      r.skip(tag);
      continue;
    }
    const outer = r.enter();
    let size = 0;
    while (!r.atEnd()) {
      const inner = r.tag();
      if (inner >>> 3 === F.DIM_SIZE && (inner & 7) === WireType.VARINT) size = r.int64Number();
      else r.skip(inner);
    }
    r.leave(outer);
    shape.push(size);
  }
}

/** Reads a repeated float (`width` 4) or double (8) field, packed or not. */
function readRepeated(r: WireReader, tag: number, width: 4 | 8, out: number[]): void {
  const wire = tag & 7;
  if (wire === WireType.LEN) {
    const end = r.delimitedEnd();
    if ((end - r.pos) % width !== 0) throw r.error(`packed field of ${end - r.pos} bytes is not a multiple of ${width}`);
    while (r.pos < end) out.push(width === 4 ? r.float() : r.double());
  } else if (wire === (width === 4 ? WireType.I32 : WireType.I64)) {
    out.push(width === 4 ? r.float() : r.double());
  } else {
    r.skip(tag);
  }
}
