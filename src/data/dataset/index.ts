/** Datasets: immutable named splits of TFRecord shards of `tf.train.Example`. @module */
export { Dataset, type FileResolver } from "./dataset.js";
export { DatasetWriter, type DatasetWriterOptions } from "./writer.js";
export { dataset } from "./type.js";
export { datasetMaterializer } from "./materializer.js";
export { type DatasetManifest, type SplitManifest, MANIFEST_FILE, DATASET_FORMAT_VERSION } from "./manifest.js";
export type { Column, ColumnBatch } from "./batches.js";
export { datasetStatistics, computeSplitStatistics, type DatasetStatisticsOptions } from "./statistics.js";
export { STATISTICS_FILE, type StoredStatistics } from "./statistics-file.js";
