/**
 * Reading event files: the events, or just their scalars.
 * @module
 */
import { readDecodedRecords } from "../tfrecord/decoded-records.js";
import type { TFRecordReadOptions } from "../tfrecord/reader.js";
import { decodeEvent } from "./decode.js";
import { ScalarExtractor } from "./scalars.js";
import type { Event, ScalarPoint } from "./types.js";

/**
 * The events of an event file, streamed (CRCs checked). Errors are `FORMAT_INVALID` KoanErrors naming the file
 * and the byte offset of the bad record.
 * @example
 * ```ts
 * for await (const event of readEvents("logs/events.out.tfevents.1700000000.ci")) console.log(event.step);
 * ```
 */
export function readEvents(path: string, options: TFRecordReadOptions = {}): AsyncGenerator<Event, void, undefined> {
  return readDecodedRecords(path, options, decodeEvent);
}

/**
 * The scalars of an event file, TF1 (`simple_value`) and TF2 (tensor with `scalars` plugin metadata) alike.
 * @example
 * ```ts
 * for await (const { tag, step, value } of readScalars(path)) if (tag === "loss") plot(step, value);
 * ```
 */
export async function* readScalars(path: string, options: TFRecordReadOptions = {}): AsyncGenerator<ScalarPoint, void, undefined> {
  const extractor = new ScalarExtractor();
  for await (const event of readEvents(path, options)) yield* extractor.extract(event);
}
