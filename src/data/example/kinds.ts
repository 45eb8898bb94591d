/**
 * Feature kinds given by name, as a Map or a plain object (e.g. derived from a schema).
 * @module
 */
import type { FeatureKind } from "./types.js";

/** Feature kinds by feature name. */
export type FeatureKinds = ReadonlyMap<string, FeatureKind> | Readonly<Record<string, FeatureKind>>;

/** The kind `kinds` give `name`, if any. */
export function lookupKind(kinds: FeatureKinds | undefined, name: string): FeatureKind | undefined {
  if (kinds === undefined) return undefined;
  if (kinds instanceof Map) return kinds.get(name);
  const record = kinds as Readonly<Record<string, FeatureKind>>;
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
