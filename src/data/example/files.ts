/**
 * Reading and writing files of Examples: TFRecord files whose records are serialized `tf.train.Example`s (or
 * `SequenceExample`s).
 * @module
 */
import { readDecodedRecords } from "../tfrecord/decoded-records.js";
import type { TFRecordReadOptions } from "../tfrecord/reader.js";
import { TFRecordWriter, type TFRecordWriteOptions } from "../tfrecord/writer.js";
import { decodeExample, type DecodeExampleOptions } from "./decode.js";
import { encodeExample, type EncodeExampleOptions } from "./encode.js";
import { decodeSequenceExample } from "./sequence.js";
import type { Example, SequenceExample } from "./types.js";

/** Options of {@link readExamples} and {@link readSequenceExamples}. */
export interface ReadExamplesOptions extends TFRecordReadOptions, DecodeExampleOptions {}

/** Options of {@link writeExamples}. */
export interface WriteExamplesOptions extends TFRecordWriteOptions, EncodeExampleOptions {}

/**
 * The Examples of a TFRecord file, streamed. A record that is not a valid Example is a `FORMAT_INVALID` error
 * naming the file, the record index and its byte offset.
 * @example
 * ```ts
 * for await (const example of readExamples("Split-train/data_tfrecord-00000-of-00001.gz")) console.log(example.size);
 * ```
 */
export function readExamples(path: string, options: ReadExamplesOptions = {}): AsyncGenerator<Example, void, undefined> {
  return readDecodedRecords(path, options, (bytes) => decodeExample(bytes, options));
}

/** The SequenceExamples of a TFRecord file, streamed (errors as in {@link readExamples}). */
export function readSequenceExamples(
  path: string,
  options: ReadExamplesOptions = {},
): AsyncGenerator<SequenceExample, void, undefined> {
  return readDecodedRecords(path, options, (bytes) => decodeSequenceExample(bytes, options));
}

/**
 * Writes Examples to a TFRecord file (gzip when the name ends with `.gz`, atomically) and returns how many.
 * @example
 * ```ts
 * await writeExamples("out/data.tfrecord.gz", rows.map((row) => exampleFromRow(row)));
 * ```
 */
export async function writeExamples(
  path: string,
  examples: Iterable<Example> | AsyncIterable<Example>,
  options: WriteExamplesOptions = {},
): Promise<number> {
  const writer = await TFRecordWriter.open(path, options);
  try {
    for await (const example of examples) await writer.write(encodeExample(example, options));
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
  return writer.recordCount;
}
