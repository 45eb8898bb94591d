/** The `dataset` artifact type (`types.dataset()`). @module */
import { defineArtifactType, type ArtifactType } from "../../core/types.js";
import { registerMaterializer } from "../../materializers/registry.js";
import type { Materializer } from "../../materializers/types.js";
import { Dataset } from "./dataset.js";
import { datasetMaterializer } from "./materializer.js";

registerMaterializer(datasetMaterializer as Materializer<unknown>);

/** A dataset of TFRecord splits; steps return one made with `DatasetWriter` (or an input they pass on). */
export function dataset(): ArtifactType<Dataset, "dataset"> {
  return defineArtifactType("dataset", datasetMaterializer, (v) => (Dataset.is(v) ? undefined : "expected a Dataset (made with DatasetWriter)"));
}
