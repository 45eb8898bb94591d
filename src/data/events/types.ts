/**
 * The subset of TensorBoard's `Event` proto (tensorboard/compat/proto/event.proto, summary.proto, tensor.proto)
 * that Koan reads and writes: wall time, step, file version, and summaries with scalar values.
 * @module
 */

/** Which member of `Event.what` is set. */
export type EventKind =
  | "file_version"
  | "graph_def"
  | "summary"
  | "log_message"
  | "session_log"
  | "tagged_run_metadata"
  | "meta_graph_def";

/** Which member of `Summary.Value.value` is set. */
export type SummaryValueKind = "simple_value" | "obsolete_old_style_histogram" | "image" | "histo" | "audio" | "tensor";

/** `SummaryMetadata`: which plugin owns a summary value (`"scalars"` for TF2 scalars). */
export interface SummaryMetadata {
  /** `plugin_data.plugin_name`. */
  readonly pluginName?: string;
  /** `plugin_data.content`: plugin-specific bytes. */
  readonly pluginContent?: Uint8Array;
  readonly displayName?: string;
  readonly summaryDescription?: string;
  /** `DataClass` enum: 1 scalar, 2 tensor, 3 blob sequence. */
  readonly dataClass?: number;
}

/** The parts of a `TensorProto` needed for scalars. */
export interface TensorValue {
  /** `DataType` enum (see `DataType`). */
  readonly dtype: number;
  /** Dimension sizes; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** `tensor_content`: the values as raw little-endian bytes, when the writer used it. */
  readonly content?: Uint8Array;
  /** `float_val`. */
  readonly floatVal?: Float32Array;
  /** `double_val`. */
  readonly doubleVal?: Float64Array;
}

/** One `Summary.Value`. Value kinds other than `simple_value` and `tensor` are recognized but not decoded. */
export interface SummaryValue {
  readonly tag: string;
  /** The member of the value oneof that is set, if any. */
  readonly kind?: SummaryValueKind;
  /** TF1-style scalar. */
  readonly simpleValue?: number;
  /** TF2-style value (a scalar when its metadata names the `scalars` plugin). */
  readonly tensor?: TensorValue;
  readonly metadata?: SummaryMetadata;
}

/** An event to encode. */
export interface EventInit {
  /** Seconds since the epoch; not written when undefined. */
  readonly wallTime?: number;
  /** Global step (default 0, not written). */
  readonly step?: number;
  /** Set for the first event of a file: `"brain.Event:2"`. At most one of `fileVersion` and `summary`. */
  readonly fileVersion?: string;
  readonly summary?: readonly SummaryValue[];
}

/** A decoded event. */
export interface Event {
  /** Seconds since the epoch; `undefined` when the event has no `wall_time` field. */
  readonly wallTime: number | undefined;
  /** Global step (0 when absent). Exact up to 2^53. */
  readonly step: number;
  /** Which member of `what` is set; only `file_version` and `summary` are decoded. */
  readonly kind: EventKind | undefined;
  readonly fileVersion?: string;
  readonly summary?: readonly SummaryValue[];
}

/** One point of a scalar time series. */
export interface ScalarPoint {
  readonly tag: string;
  readonly step: number;
  readonly value: number;
  /** `undefined` when the event had no `wall_time`. */
  readonly wallTime: number | undefined;
}
