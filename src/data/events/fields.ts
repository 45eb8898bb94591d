/**
 * Field numbers of the TensorBoard protos Koan reads and writes, checked against tensorboard/compat/proto/
 * event.proto, summary.proto, tensor.proto and tensor_shape.proto.
 * @module
 */

/** `Event.wall_time` (double). */
export const EVENT_WALL_TIME = 1;
/** `Event.step` (int64). */
export const EVENT_STEP = 2;
/** `Event.file_version` (string, oneof `what`). */
export const EVENT_FILE_VERSION = 3;
/** `Event.graph_def` (bytes, oneof `what`). */
export const EVENT_GRAPH_DEF = 4;
/** `Event.summary` (Summary, oneof `what`). */
export const EVENT_SUMMARY = 5;
/** `Event.log_message` (LogMessage, oneof `what`, deprecated). */
export const EVENT_LOG_MESSAGE = 6;
/** `Event.session_log` (SessionLog, oneof `what`). */
export const EVENT_SESSION_LOG = 7;
/** `Event.tagged_run_metadata` (TaggedRunMetadata, oneof `what`). */
export const EVENT_TAGGED_RUN_METADATA = 8;
/** `Event.meta_graph_def` (bytes, oneof `what`). */
export const EVENT_META_GRAPH_DEF = 9;

/** `Summary.value` (repeated Summary.Value). */
export const SUMMARY_VALUE = 1;

/** `Summary.Value.tag` (string). */
export const VALUE_TAG = 1;
/** `Summary.Value.simple_value` (float, oneof `value`). */
export const VALUE_SIMPLE_VALUE = 2;
/** `Summary.Value.obsolete_old_style_histogram` (bytes, oneof `value`). */
export const VALUE_OBSOLETE_OLD_STYLE_HISTOGRAM = 3;
/** `Summary.Value.image` (Image, oneof `value`). */
export const VALUE_IMAGE = 4;
/** `Summary.Value.histo` (HistogramProto, oneof `value`). */
export const VALUE_HISTO = 5;
/** `Summary.Value.audio` (Audio, oneof `value`). */
export const VALUE_AUDIO = 6;
/** `Summary.Value.tensor` (TensorProto, oneof `value`). */
export const VALUE_TENSOR = 8;
/** `Summary.Value.metadata` (SummaryMetadata). */
export const VALUE_METADATA = 9;

/** `SummaryMetadata.plugin_data` (PluginData). */
export const METADATA_PLUGIN_DATA = 1;
/** `SummaryMetadata.display_name` (string). */
export const METADATA_DISPLAY_NAME = 2;
/** `SummaryMetadata.summary_description` (string). */
export const METADATA_SUMMARY_DESCRIPTION = 3;
/** `SummaryMetadata.data_class` (DataClass enum). */
export const METADATA_DATA_CLASS = 4;
/** `SummaryMetadata.PluginData.plugin_name` (string). */
export const PLUGIN_DATA_NAME = 1;
/** `SummaryMetadata.PluginData.content` (bytes). */
export const PLUGIN_DATA_CONTENT = 2;

/** `TensorProto.dtype` (DataType enum). */
export const TENSOR_DTYPE = 1;
/** `TensorProto.tensor_shape` (TensorShapeProto). */
export const TENSOR_SHAPE = 2;
/** `TensorProto.tensor_content` (bytes). */
export const TENSOR_CONTENT = 4;
/** `TensorProto.float_val` (repeated float, packed). */
export const TENSOR_FLOAT_VAL = 5;
/** `TensorProto.double_val` (repeated double, packed). */
export const TENSOR_DOUBLE_VAL = 6;
/** `TensorShapeProto.dim` (repeated Dim). */
export const SHAPE_DIM = 2;
/** `TensorShapeProto.Dim.size` (int64). */
export const DIM_SIZE = 1;
