/**
 * TFRecord files: CRC-32C, record framing, a streaming reader and writers (single file and sharded).
 * @module
 */
export { crc32c, maskCrc, maskedCrc32c, unmaskCrc } from "./crc32c.js";
export { compressionFromName, detectCompression, hasGzipMagic, type TFRecordCompression } from "./compression.js";
export { FOOTER_BYTES, framedSize, HEADER_BYTES, writeFramedRecord } from "./framing.js";
export { DEFAULT_MAX_RECORD_BYTES, readTFRecords, TFRecordReader, type TFRecordReadOptions } from "./reader.js";
export { readDecodedRecords } from "./decoded-records.js";
export { TFRecordWriter, type TFRecordWriteOptions } from "./writer.js";
export { parseShardFileName, shardFileName, shardFileNames, type ShardName } from "./shards.js";
export { ShardedTFRecordWriter, type ShardedTFRecordWriteOptions } from "./sharded-writer.js";
export { formatError, type FormatLocation } from "./errors.js";
