/**
 * The `local` orchestrator: runs ready steps in this process, at most `concurrency` at once. When a step fails,
 * the steps that depend on it are recorded as skipped and independent branches carry on. Cancellation (Ctrl-C)
 * stops starting new steps and cancels the running ones.
 * @module
 */
import { newId } from "../../core/ids.js";
import type { StepFailedError } from "../../core/errors.js";
import type { ArtifactRecord } from "../../stores/metadata/types.js";
import { runNode } from "../../runner/node.js";
import type { RunEnv } from "../../runner/types.js";
import type { Orchestrator, RunOutcome } from "../types.js";

export class LocalOrchestrator implements Orchestrator {
  readonly flavor = "local";

  async execute(env: RunEnv, options: { concurrency: number }): Promise<RunOutcome> {
    const p = env.pipeline;
    const outputs = new Map<string, Record<string, ArtifactRecord>>();
    const state = new Map<string, "pending" | "running" | "done" | "failed" | "skipped">(p.order.map((n) => [n, "pending"]));
    const failures: StepFailedError[] = [];
    const running = new Map<string, Promise<void>>();
    let cancelled = false;

    const parentsOf = (name: string): string[] => [...new Set(Object.values(p.node(name)?.inputs ?? {}).map((r) => r.node))];
    const ready = (name: string): boolean => parentsOf(name).every((d) => state.get(d) === "done");
    const blocked = (name: string): boolean => parentsOf(name).some((d) => state.get(d) === "failed" || state.get(d) === "skipped");

    const start = (name: string): void => {
      const node = p.node(name);
      if (!node) return;
      state.set(name, "running");
      const inputs: Record<string, ArtifactRecord> = {};
      for (const [port, ref] of Object.entries(node.inputs)) {
        const art = outputs.get(ref.node)?.[ref.port];
        if (art) inputs[port] = art;
      }
      const task = runNode(env, node, inputs).then(
        (r) => {
          if (r.status === "succeeded") {
            outputs.set(name, r.outputs);
            state.set(name, "done");
          } else {
            state.set(name, "failed");
            if (r.status === "cancelled") cancelled = true;
            else if (r.error) failures.push(r.error);
          }
        },
        (e: unknown) => {
          state.set(name, "failed");
          throw e;
        },
      );
      running.set(name, task.finally(() => running.delete(name)));
    };

    const abortWait = new Promise<void>((resolve) => env.signal.addEventListener("abort", () => resolve(), { once: true }));
    for (;;) {
      if (env.signal.aborted) cancelled = true;
      if (!cancelled) {
        for (const name of p.order) {
          if (running.size >= options.concurrency) break;
          if (state.get(name) !== "pending") continue;
          if (blocked(name)) {
            state.set(name, "skipped");
            await this.recordSkipped(env, name);
            continue;
          }
          if (ready(name)) start(name);
        }
      }
      if (running.size === 0) break;
      await Promise.race([...running.values(), ...(cancelled ? [] : [abortWait])]);
    }
    if (cancelled || env.signal.aborted) return { status: "cancelled", failures };
    return { status: failures.length || [...state.values()].some((s) => s !== "done") ? "failed" : "succeeded", failures };
  }

  private async recordSkipped(env: RunEnv, name: string): Promise<void> {
    const node = env.pipeline.node(name);
    if (!node) return;
    const at = new Date().toISOString();
    const id = newId("s");
    await env.metadata.createStepRun(
      { id, runId: env.runId, step: name, stepType: node.step.name, status: "skipped", cacheKey: null, cacheHit: false, cachedFrom: null, codeHash: node.step.codeHash, params: env.params[name] ?? {}, startedAt: null, endedAt: at, durationMs: null, attempts: 0, error: null, logBlob: null, meta: {} },
      [],
    );
    env.emit({ type: "step-finished", runId: env.runId, step: name, status: "skipped", cacheHit: false, durationMs: 0 });
  }
}
