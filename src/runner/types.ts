/** What the runner needs to execute steps of one run, and the events it emits. @module */
import type { JsonValue } from "../core/hash.js";
import type { Pipeline } from "../core/pipeline.js";
import type { ArtifactStore } from "../stores/artifact/types.js";
import type { ArtifactRecord, MetadataStore, StepStatus } from "../stores/metadata/types.js";
import type { PlannedBackend } from "../backends/types.js";

/** A stack component as configured: flavor plus config (for child processes and remote workers). */
export interface ComponentConfig {
  flavor: string;
  config: { [key: string]: JsonValue };
}

/** The stack a run uses, as plain data (never secrets). */
export interface StackConfig {
  name: string;
  artifactStore: ComponentConfig;
  metadataStore: ComponentConfig;
  orchestrator: ComponentConfig;
  /** Named step backends (where single steps run remotely), if the stack configures any. */
  stepBackends?: { [name: string]: ComponentConfig };
}

/** A run in progress. */
export interface RunEnv {
  readonly runId: string;
  readonly pipeline: Pipeline;
  /** File the pipeline was loaded from (needed by `isolation: "process"`). */
  readonly pipelineFile: string | undefined;
  readonly projectDir: string;
  readonly stack: StackConfig;
  readonly artifacts: ArtifactStore;
  readonly metadata: MetadataStore;
  /** Validated parameters per node. */
  readonly params: Readonly<Record<string, { [key: string]: JsonValue }>>;
  readonly seed: number;
  readonly cache: boolean;
  readonly scratchRoot: string;
  readonly signal: AbortSignal;
  readonly emit: (event: RunEvent) => void;
  /** Steps that run on a step backend (submitted as jobs), by node name; absent or missing: they run here. */
  readonly backends?: ReadonlyMap<string, PlannedBackend>;
}

/** Progress events (for the live view, `--json` streams and the dashboard). */
export type RunEvent =
  | { type: "run-started"; runId: string; pipeline: string; steps: readonly string[] }
  | { type: "step-started"; runId: string; step: string; attempt: number }
  | { type: "step-retrying"; runId: string; step: string; attempt: number; error: string }
  | {
      type: "step-finished";
      runId: string;
      step: string;
      status: StepStatus;
      cacheHit: boolean;
      durationMs: number;
      error?: string;
    }
  | { type: "run-finished"; runId: string; status: string; durationMs: number }
  /** A line about a step running elsewhere: its job's state changes and log (step backends). */
  | { type: "step-log"; runId: string; step: string; line: string };

/** The outcome of one node. */
export interface NodeResult {
  status: StepStatus;
  outputs: Record<string, ArtifactRecord>;
}
