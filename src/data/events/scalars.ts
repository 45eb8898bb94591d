/**
 * Scalars in event files, both styles TensorBoard reads:
 *
 * - TF1: `Summary.Value.simple_value`.
 * - TF2: `Summary.Value.tensor`, a one-element `DT_FLOAT` (or `DT_DOUBLE`) tensor in `float_val`/`double_val` or
 *   `tensor_content`, whose `metadata` names the `scalars` plugin (or has data class `DATA_CLASS_SCALAR`).
 *   TensorFlow writes the metadata only with the first value of a tag, so it is remembered per tag.
 * @module
 */
import { DataClass, DataType, SCALARS_PLUGIN } from "./data-type.js";
import type { Event, EventInit, ScalarPoint, SummaryValue, TensorValue } from "./types.js";

/**
 * Extracts {@link ScalarPoint}s from the events of one file, in order (it keeps per-tag plugin metadata).
 * @example
 * ```ts
 * const extractor = new ScalarExtractor();
 * for await (const event of readEvents(path)) for (const point of extractor.extract(event)) console.log(point);
 * ```
 */
export class ScalarExtractor {
  readonly #scalarTags = new Map<string, boolean>();

  /** The scalars of one event (none for events that are not summaries). */
  extract(event: Event): ScalarPoint[] {
    const points: ScalarPoint[] = [];
    for (const value of event.summary ?? []) {
      const scalar = this.#valueOf(value);
      if (scalar !== undefined) points.push({ tag: value.tag, step: event.step, value: scalar, wallTime: event.wallTime });
    }
    return points;
  }

  #valueOf(value: SummaryValue): number | undefined {
    const metadata = value.metadata;
    if (metadata !== undefined && (metadata.pluginName !== undefined || metadata.dataClass !== undefined)) {
      this.#scalarTags.set(
        value.tag,
        metadata.pluginName === SCALARS_PLUGIN || metadata.dataClass === DataClass.DATA_CLASS_SCALAR,
      );
    }
    if (value.simpleValue !== undefined) return value.simpleValue;
    if (value.tensor !== undefined && this.#scalarTags.get(value.tag) === true) return tensorScalar(value.tensor);
    return undefined;
  }
}

/**
 * The value of a one-element float32/float64 tensor; `undefined` for other tensors. A tensor with no values is
 * zero, as in TensorFlow.
 */
export function tensorScalar(tensor: TensorValue): number | undefined {
  if (tensor.shape.some((size) => size !== 1)) return undefined;
  switch (tensor.dtype) {
    case DataType.DT_FLOAT:
      if (tensor.floatVal !== undefined) return tensor.floatVal.length === 1 ? tensor.floatVal[0] : undefined;
      return tensor.content === undefined ? 0 : contentScalar(tensor.content, 4);
    case DataType.DT_DOUBLE:
      if (tensor.doubleVal !== undefined) return tensor.doubleVal.length === 1 ? tensor.doubleVal[0] : undefined;
      return tensor.content === undefined ? 0 : contentScalar(tensor.content, 8);
    default:
      return undefined;
  }
}

function contentScalar(content: Uint8Array, width: 4 | 8): number | undefined {
  if (content.length === 0) return 0;
  if (content.length !== width) return undefined;
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  return width === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
}

/** How {@link scalarEvent} writes the value. */
export type ScalarStyle = "simple_value" | "tensor";

/**
 * An event holding one scalar: TF1 style (`simple_value`, default) or TF2 style (a float32 scalar tensor with
 * `scalars` plugin metadata). TensorBoard reads both.
 * @example
 * ```ts
 * encodeEvent(scalarEvent("loss", 0.25, 10, { wallTime: 1700000000 }));
 * ```
 */
export function scalarEvent(
  tag: string,
  value: number,
  step: number,
  options: { wallTime?: number; style?: ScalarStyle } = {},
): EventInit {
  const summary: SummaryValue =
    options.style === "tensor"
      ? {
          tag,
          tensor: { dtype: DataType.DT_FLOAT, shape: [], floatVal: Float32Array.of(value) },
          metadata: { pluginName: SCALARS_PLUGIN, dataClass: DataClass.DATA_CLASS_SCALAR },
        }
      : { tag, simpleValue: value };
  return { ...(options.wallTime === undefined ? {} : { wallTime: options.wallTime }), step, summary: [summary] };
}
