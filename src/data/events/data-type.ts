/**
 * The `DataType` enum values (tensorboard/compat/proto/types.proto) that scalar summaries use.
 * @module
 */

/** `tensorflow.DataType` values used by scalar summaries. */
export const DataType = {
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_INT64: 9,
} as const;

/** `SummaryMetadata.data_class` values. */
export const DataClass = {
  DATA_CLASS_UNKNOWN: 0,
  DATA_CLASS_SCALAR: 1,
  DATA_CLASS_TENSOR: 2,
  DATA_CLASS_BLOB_SEQUENCE: 3,
} as const;

/** The file version TensorBoard expects in the first event of a file. */
export const FILE_VERSION = "brain.Event:2";

/** The plugin name of scalar summaries. */
export const SCALARS_PLUGIN = "scalars";
