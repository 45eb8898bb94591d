/**
 * The cache key of a step: its identity and code, its resolved parameters and seed, the content hashes of its
 * inputs, the materializers on both sides, and any fingerprint of the outside world it reads. Nothing
 * time-dependent or order-dependent enters it.
 * @module
 */
import { hashJson, type JsonValue } from "../core/hash.js";
import type { StepDefinition } from "../core/step.js";
import type { ArtifactRecord } from "../stores/metadata/types.js";

/** Bump when the key's composition changes. */
export const CACHE_KEY_VERSION = 1;

export function cacheKey(args: {
  step: StepDefinition;
  params: JsonValue;
  seed: number;
  inputs: Readonly<Record<string, ArtifactRecord>>;
  fingerprint: JsonValue;
}): string {
  const inputs: Record<string, string> = {};
  const inMaterializers: Record<string, string> = {};
  for (const [port, a] of Object.entries(args.inputs)) {
    inputs[port] = a.contentHash;
    inMaterializers[port] = `${a.materializer}@${a.materializerVersion}`;
  }
  const outMaterializers: Record<string, string> = {};
  for (const [port, t] of Object.entries(args.step.outputs)) outMaterializers[port] = `${t.materializer.name}@${t.materializer.version}`;
  return hashJson({
    v: CACHE_KEY_VERSION,
    step: args.step.name,
    code: args.step.codeHash,
    params: args.params,
    seed: args.seed,
    inputs,
    materializers: { in: inMaterializers, out: outMaterializers },
    fingerprint: args.fingerprint,
  });
}
