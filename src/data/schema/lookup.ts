/**
 * Questions about a schema: finding features and domains, lifecycle and environments (TFDV's rules).
 * @module
 */
import type { FeatureKind } from "../example/types.js";
import type { LifecycleStage, Schema, SchemaFeature, StringDomain } from "./types.js";

const NOT_VALIDATED: ReadonlySet<LifecycleStage> = new Set(["PLANNED", "ALPHA", "DEPRECATED", "DEBUG_ONLY", "DISABLED"]);

/** The top-level feature called `name`, or undefined. */
export function findSchemaFeature(schema: Schema, name: string): SchemaFeature | undefined {
  return schema.feature.find((f) => f.name === name);
}

/** The schema-level string domain called `name`, or undefined. */
export function findStringDomain(schema: Schema, name: string): StringDomain | undefined {
  return schema.stringDomain.find((d) => d.name === name);
}

/**
 * The string domain that applies to a feature: its inline `stringDomain`, or the schema-level one its `domain`
 * names (undefined when neither, or when the reference is dangling).
 */
export function stringDomainOf(schema: Schema, feature: SchemaFeature): StringDomain | undefined {
  if (feature.stringDomain) return feature.stringDomain;
  if (feature.domain !== undefined) return findStringDomain(schema, feature.domain);
  return undefined;
}

/**
 * True when a feature is not validated: `deprecated: true`, or a lifecycle stage of PLANNED, ALPHA, DEPRECATED,
 * DEBUG_ONLY or DISABLED.
 */
export function isFeatureDeprecated(feature: { readonly deprecated?: boolean; readonly lifecycleStage?: LifecycleStage }): boolean {
  return feature.deprecated === true || (feature.lifecycleStage !== undefined && NOT_VALIDATED.has(feature.lifecycleStage));
}

/**
 * True when the feature is expected in `environment`: listed in its `inEnvironment`, or in the schema's
 * `defaultEnvironment` and not in its `notInEnvironment`. Every feature is in the unnamed (undefined) environment.
 */
export function isFeatureInEnvironment(schema: Schema, feature: SchemaFeature, environment: string | undefined): boolean {
  if (environment === undefined) return true;
  if (feature.inEnvironment?.includes(environment)) return true;
  if (feature.notInEnvironment?.includes(environment)) return false;
  return schema.defaultEnvironment?.includes(environment) ?? false;
}

/** True when the schema requires the feature to be present (min count or min fraction above zero). */
export function isPresenceRequired(feature: SchemaFeature): boolean {
  const p = feature.presence;
  return p !== undefined && ((p.minCount ?? 0) > 0 || (p.minFraction ?? 0) > 0);
}

/**
 * Example feature kinds by name for the schema's INT, FLOAT and BYTES features, to give TFX's kind-less missing
 * values (empty `Feature` messages) their real kind when decoding.
 * @example
 * decodeExample(record, { kinds: featureKindsFromSchema(schema) });
 */
export function featureKindsFromSchema(schema: Schema): Map<string, FeatureKind> {
  const kinds = new Map<string, FeatureKind>();
  for (const f of schema.feature) {
    if (f.type === "INT") kinds.set(f.name, "int64");
    else if (f.type === "FLOAT") kinds.set(f.name, "float");
    else if (f.type === "BYTES") kinds.set(f.name, "bytes");
  }
  return kinds;
}
