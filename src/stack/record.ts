/**
 * What a run records about its stack: the stack's name, each component's flavor, and the stores' URIs with any
 * password redacted. Never a config value that could hold a secret.
 * @module
 */
import type { JsonValue } from "../core/hash.js";
import { redactUri } from "../secrets/redact.js";
import type { StackConfig } from "../runner/types.js";

/** The stack as recorded with a run (`RunRecord.stack`). */
export interface StackRecord {
  [key: string]: JsonValue;
  name: string;
  artifactStore: { flavor: string; uri: string };
  metadataStore: { flavor: string; uri: string };
  orchestrator: { flavor: string };
}

/** Build the record from the stack and its open stores' URIs. */
export function stackRecord(stack: StackConfig, stores: { artifacts: { uri: string }; metadata: { uri?: string } }): StackRecord {
  return {
    name: stack.name,
    artifactStore: { flavor: stack.artifactStore.flavor, uri: redactUri(stores.artifacts.uri) },
    metadataStore: { flavor: stack.metadataStore.flavor, uri: redactUri(stores.metadata.uri ?? `${stack.metadataStore.flavor}:`) },
    orchestrator: { flavor: stack.orchestrator.flavor },
  };
}
