/**
 * TensorBoard event files: the `Event` proto subset for scalars, a reader, a writer, and file naming.
 * @module
 */
export type {
  Event,
  EventInit,
  EventKind,
  ScalarPoint,
  SummaryMetadata,
  SummaryValue,
  SummaryValueKind,
  TensorValue,
} from "./types.js";
export { DataClass, DataType, FILE_VERSION, SCALARS_PLUGIN } from "./data-type.js";
export { encodeEvent } from "./encode.js";
export { decodeEvent } from "./decode.js";
export { ScalarExtractor, scalarEvent, type ScalarStyle, tensorScalar } from "./scalars.js";
export { eventFileName, type EventFileNameParts, isEventFileName } from "./file-name.js";
export { readEvents, readScalars } from "./reader.js";
export { EventFileWriter, type EventFileWriterOptions } from "./writer.js";
