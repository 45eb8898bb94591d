/** The `feature_spec` artifact type: a {@link FeatureSpec} as JSON, checked when a step outputs it. @module */
import { jsonProblem } from "../core/hash.js";
import { defineArtifactType, type ArtifactType } from "../core/types.js";
import { jsonMaterializer } from "../materializers/json.js";
import type { Materializer } from "../materializers/types.js";
import { checkFeatureSpec, type FeatureSpec } from "./feature-spec.js";

/** A feature spec (what a trainer needs to know about its inputs and label). */
export function featureSpecType(): ArtifactType<FeatureSpec, "feature_spec"> {
  return defineArtifactType("feature_spec", jsonMaterializer as Materializer<FeatureSpec>, (v) => {
    try {
      checkFeatureSpec(v);
    } catch (e) {
      return (e as Error).message;
    }
    return jsonProblem(v);
  });
}
