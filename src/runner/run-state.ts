/**
 * The state of a run's steps, read from the metadata store alone: which steps succeeded, failed or still run,
 * which are ready (every upstream step succeeded) and which can no longer run (an upstream step failed). Remote
 * executors and distributed orchestrators (`koan step-run`, the queue's workers, `koan runs cancel`) share this
 * view, so any process can tell what to do next without loading the pipeline file.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { PipelineSpec } from "../core/pipeline.js";
import type { ArtifactRecord, MetadataStore, RunRecord, StepRunRecord } from "../stores/metadata/types.js";

/** A step as recorded in a run's spec. */
export interface RecordedNode {
  readonly name: string;
  /** The step definition's name. */
  readonly step: string;
  /** Input port → the producing node and its output port. */
  readonly inputs: { readonly [port: string]: { readonly node: string; readonly port: string } };
  /** Output port → artifact kind. */
  readonly outputs: { readonly [port: string]: string };
  readonly codeHash: string;
}

/**
 * Where a step of a run stands. `pending`: nothing recorded yet, or its last attempt was interrupted (its
 * executor died), so it may run (again).
 */
export type NodeState = "pending" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";

const TERMINAL: ReadonlySet<NodeState> = new Set(["succeeded", "failed", "cancelled", "skipped"]);

/** A run's steps and their recorded state. */
export interface RunState {
  readonly run: RunRecord;
  /** The run's steps in definition order (a topological order). */
  readonly nodes: readonly RecordedNode[];
  /** State per step. */
  readonly states: ReadonlyMap<string, NodeState>;
  /** Step runs per step, oldest first. */
  readonly records: ReadonlyMap<string, readonly StepRunRecord[]>;
  /** The step named `name` (undefined when the run has none). */
  node(name: string): RecordedNode | undefined;
  /** The distinct upstream steps of `name`. */
  parents(name: string): string[];
  /** The distinct downstream steps of `name`. */
  children(name: string): string[];
  /** Pending steps whose upstream steps all succeeded. */
  ready(): string[];
  /** Pending steps that can never run because an upstream step failed, was cancelled or skipped. */
  blocked(): string[];
  /** True when every step has ended (succeeded, failed, cancelled or skipped). */
  complete(): boolean;
  /** The run's status once complete: cancelled if any step was, else failed if any step failed, else succeeded. */
  outcome(): "succeeded" | "failed" | "cancelled";
  /** The step run that succeeded for `name`, if any. */
  succeeded(name: string): StepRunRecord | undefined;
  /** The step runs that failed, in the order they ended. */
  failures(): StepRunRecord[];
}

/** The steps of a run, from its recorded spec. Throws `STORE_INVALID` when the run has no usable spec. */
export function recordedNodes(run: RunRecord): RecordedNode[] {
  const spec = run.spec as unknown as PipelineSpec | null;
  if (!spec || !Array.isArray(spec.nodes)) {
    throw new KoanError("STORE_INVALID", `run ${run.id} has no recorded pipeline spec`, { hint: "was it recorded by an older Koan? start a new run" });
  }
  return spec.nodes.map((n) => ({ name: n.name, step: n.step, inputs: n.inputs ?? {}, outputs: n.outputs ?? {}, codeHash: n.codeHash }));
}

/** The state of one step from its step runs (oldest first). */
export function nodeState(records: readonly StepRunRecord[]): NodeState {
  if (records.some((r) => r.status === "succeeded")) return "succeeded";
  const last = records[records.length - 1];
  if (!last || last.status === "interrupted") return "pending";
  return last.status;
}

/** Build the state of `run` from its step runs. */
export function runStateOf(run: RunRecord, stepRuns: readonly StepRunRecord[]): RunState {
  const nodes = recordedNodes(run);
  const byName = new Map(nodes.map((n) => [n.name, n] as const));
  const records = new Map<string, StepRunRecord[]>(nodes.map((n) => [n.name, []]));
  for (const s of [...stepRuns].sort((a, b) => a.id.localeCompare(b.id))) records.get(s.step)?.push(s);
  const states = new Map<string, NodeState>(nodes.map((n) => [n.name, nodeState(records.get(n.name) ?? [])]));
  const parents = (name: string): string[] => [...new Set(Object.values(byName.get(name)?.inputs ?? {}).map((r) => r.node))];
  const children = (name: string): string[] => nodes.filter((n) => Object.values(n.inputs).some((r) => r.node === name)).map((n) => n.name);
  const stateOf = (name: string): NodeState => states.get(name) ?? "pending";
  return {
    run,
    nodes,
    states,
    records,
    node: (name) => byName.get(name),
    parents,
    children,
    ready: () => nodes.filter((n) => stateOf(n.name) === "pending" && parents(n.name).every((p) => stateOf(p) === "succeeded")).map((n) => n.name),
    blocked: () =>
      nodes.filter((n) => stateOf(n.name) === "pending" && parents(n.name).some((p) => ["failed", "cancelled", "skipped"].includes(stateOf(p)))).map((n) => n.name),
    complete: () => nodes.every((n) => TERMINAL.has(stateOf(n.name))),
    outcome: () => {
      const all = nodes.map((n) => stateOf(n.name));
      return all.includes("cancelled") ? "cancelled" : all.every((s) => s === "succeeded") ? "succeeded" : "failed";
    },
    succeeded: (name) => (records.get(name) ?? []).find((r) => r.status === "succeeded"),
    failures: () =>
      nodes
        .flatMap((n) => (stateOf(n.name) === "failed" ? (records.get(n.name) ?? []).filter((r) => r.status === "failed").slice(-1) : []))
        .sort((a, b) => (a.endedAt ?? "").localeCompare(b.endedAt ?? "")),
  };
}

/** Read a run's state from the store. Throws `NOT_FOUND` when the store has no such run. */
export async function readRunState(metadata: MetadataStore, runId: string): Promise<RunState> {
  const run = await metadata.getRun(runId);
  if (!run) throw new KoanError("NOT_FOUND", `no run "${runId}" in the metadata store ${metadata.uri}`, { hint: "is this the stack the run was started on? (--stack)" });
  return runStateOf(run, await metadata.listStepRuns(run.id));
}

/**
 * The output artifacts of a succeeded step run, by port; throws `NOT_FOUND` naming the missing port when one of
 * `ports` was not recorded.
 */
export async function outputsOfStepRun(metadata: MetadataStore, stepRun: StepRunRecord, ports: readonly string[]): Promise<Record<string, ArtifactRecord>> {
  const events = (await metadata.eventsOfStepRuns([stepRun.id])).filter((e) => e.kind === "output");
  const out: Record<string, ArtifactRecord> = {};
  for (const port of ports) {
    const ev = events.find((e) => e.port === port);
    const art = ev ? await metadata.getArtifact(ev.artifactId) : undefined;
    if (!art) throw new KoanError("NOT_FOUND", `step run ${stepRun.id} (step "${stepRun.step}") recorded no output "${port}"`, { hint: "its artifacts may have been deleted (koan gc): start a new run" });
    out[port] = art;
  }
  return out;
}
