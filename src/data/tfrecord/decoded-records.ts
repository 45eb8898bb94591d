/**
 * Streaming the records of a TFRecord file through a decoder, with decode errors located in the file.
 * @module
 */
import { KoanError, messageOf } from "../../core/errors.js";
import { formatError } from "./errors.js";
import { readTFRecords, type TFRecordReadOptions } from "./reader.js";

/**
 * Yields `decode(record)` for each record of `path`. A `KoanError` thrown by `decode` is rethrown as a
 * `FORMAT_INVALID` error naming the file, the record index and its byte offset (the original as `cause`).
 * @example
 * ```ts
 * for await (const example of readDecodedRecords("train.tfrecord", {}, decodeExample)) use(example);
 * ```
 */
export async function* readDecodedRecords<T>(
  path: string,
  options: TFRecordReadOptions,
  decode: (record: Uint8Array) => T,
): AsyncGenerator<T, void, undefined> {
  const reader = readTFRecords(path, options);
  for await (const record of reader) {
    let value: T;
    try {
      value = decode(record);
    } catch (e) {
      if (!(e instanceof KoanError)) throw e;
      const where = { file: path, offset: reader.recordOffset, record: reader.recordIndex };
      throw formatError(`record ${where.record} at byte offset ${where.offset}: ${messageOf(e)}`, where, e.hint, e);
    }
    yield value;
  }
}
