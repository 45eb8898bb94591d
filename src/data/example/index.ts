/**
 * `tf.train.Example` and `tf.train.SequenceExample`: the in-memory form, a hand-written protobuf codec,
 * conversion to and from plain rows, and Example files.
 * @module
 */
export type {
  BytesFeature,
  Example,
  Feature,
  FeatureKind,
  FeatureList,
  FloatFeature,
  Int64Feature,
  SequenceExample,
} from "./types.js";
export { encodeExample, type EncodeExampleOptions } from "./encode.js";
export { ExampleRowEncoder, type RowEncoderColumn, type RowEncoderValue } from "./row-encoder.js";
export { decodeExample, type DecodeExampleOptions } from "./decode.js";
export { decodeSequenceExample } from "./sequence.js";
export { bytesFeature, featureOf, type FeatureScalar, floatFeature, int64Feature } from "./build.js";
export type { FeatureKinds } from "./kinds.js";
export {
  exampleFromRow,
  type ExampleFromRowOptions,
  type Row,
  rowFromExample,
  type RowFromExampleOptions,
  type RowScalar,
  type RowValue,
} from "./rows.js";
export {
  readExamples,
  type ReadExamplesOptions,
  readSequenceExamples,
  writeExamples,
  type WriteExamplesOptions,
} from "./files.js";
