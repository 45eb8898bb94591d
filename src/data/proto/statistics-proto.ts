/**
 * Koan's own subset of `tensorflow_metadata/proto/v0/statistics.proto` (package `tensorflow.metadata.v0`), as
 * protobuf source text. Field names and numbers are those of the published definition, so binary messages are
 * interchangeable with TensorFlow Data Validation; fields Koan neither writes nor reads (cross-feature, natural
 * language, lift and weighted statistics) are left out and are skipped when decoding.
 *
 * protobufjs builds the types from this text at run time, see {@link loadStatisticsTypes}.
 * @module
 */

/** Fully qualified name of the top-level message: a list of datasets. */
export const DATASET_FEATURE_STATISTICS_LIST = "tensorflow.metadata.v0.DatasetFeatureStatisticsList";

/** The `.proto` source text of the subset. */
export const STATISTICS_PROTO_SOURCE = `
syntax = "proto3";
package tensorflow.metadata.v0;

message Path {
  repeated string step = 1;
}

message DatasetFeatureStatisticsList {
  repeated DatasetFeatureStatistics datasets = 1;
}

message DatasetFeatureStatistics {
  string name = 1;
  uint64 num_examples = 2;
  double weighted_num_examples = 4;
  repeated FeatureNameStatistics features = 3;
}

message FeatureNameStatistics {
  enum Type {
    INT = 0;
    FLOAT = 1;
    STRING = 2;
    BYTES = 3;
    STRUCT = 4;
  }
  oneof field_id {
    string name = 1;
    Path path = 8;
  }
  Type type = 2;
  oneof stats {
    NumericStatistics num_stats = 3;
    StringStatistics string_stats = 4;
    BytesStatistics bytes_stats = 5;
    StructStatistics struct_stats = 7;
  }
  repeated CustomStatistic custom_stats = 6;
}

message CustomStatistic {
  string name = 1;
  oneof val {
    double num = 2;
    string str = 3;
    Histogram histogram = 4;
    RankHistogram rank_histogram = 5;
  }
}

message NumericStatistics {
  CommonStatistics common_stats = 1;
  double mean = 2;
  double std_dev = 3;
  uint64 num_zeros = 4;
  double min = 5;
  double median = 6;
  double max = 7;
  repeated Histogram histograms = 8;
}

message StringStatistics {
  CommonStatistics common_stats = 1;
  uint64 unique = 2;
  message FreqAndValue {
    string value = 2;
    double frequency = 3;
  }
  repeated FreqAndValue top_values = 3;
  float avg_length = 4;
  RankHistogram rank_histogram = 5;
  string vocabulary_file = 7;
  uint64 invalid_utf8_count = 8;
}

message BytesStatistics {
  CommonStatistics common_stats = 1;
  uint64 unique = 2;
  float avg_num_bytes = 3;
  float min_num_bytes = 4;
  float max_num_bytes = 5;
  int64 max_num_bytes_int = 6;
}

message StructStatistics {
  CommonStatistics common_stats = 1;
}

message CommonStatistics {
  uint64 num_non_missing = 1;
  uint64 num_missing = 2;
  uint64 min_num_values = 3;
  uint64 max_num_values = 4;
  float avg_num_values = 5;
  uint64 tot_num_values = 8;
  Histogram num_values_histogram = 6;
}

message Histogram {
  message Bucket {
    double low_value = 1;
    double high_value = 2;
    double sample_count = 4;
  }
  uint64 num_nan = 1;
  uint64 num_undefined = 2;
  repeated Bucket buckets = 3;
  enum HistogramType {
    STANDARD = 0;
    QUANTILES = 1;
  }
  HistogramType type = 4;
  string name = 5;
}

message RankHistogram {
  message Bucket {
    uint64 low_rank = 1;
    uint64 high_rank = 2;
    string label = 4;
    double sample_count = 5;
  }
  repeated Bucket buckets = 1;
  string name = 2;
}
`;
