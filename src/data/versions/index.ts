/** Versions of data sources, and the statistics and schemas that belong to a dataset. @module */
export { listSourceVersions, isSourceStep, SOURCE_STEP_TYPES, type DatasetVersion, type SourceVersions } from "./catalog.js";
export { resolveDataset, statisticsOf, schemaOf, baseSplit, type ResolvedDataset, type StatisticsOrigin, type SchemaOrigin } from "./resolve.js";
