/**
 * Entry point of a queue worker's task process. It starts ahead of time (loads Koan, opens the stack, warms the
 * TypeScript loader) and then serves requests one at a time: run a step with `stepRun` (exactly `koan step-run`),
 * or start the run of a schedule, answering each over IPC. It exits at once when its worker goes away, so a
 * killed worker leaves no step running.
 * Environment: `KOAN_PROJECT_DIR`, `KOAN_STACK`.
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { KoanError, isKoanError, messageOf } from "../../core/errors.js";
import { KOAN_DIR } from "../../project/project.js";
import type { StoredError } from "../../stores/metadata/types.js";
import type { TaskReply, TaskRequest } from "./protocol.js";

/** Never outlive the worker: its death must leave the task to another worker. */
process.on("disconnect", () => process.exit(1));

/**
 * Compile a one-line TypeScript module that imports "koan" from the project, the way pipeline files do: the first
 * such import through the TypeScript loader takes seconds, later ones are cached. Best effort.
 */
async function warmUp(projectDir: string): Promise<void> {
  try {
    const dir = join(projectDir, KOAN_DIR, "worker");
    const file = join(dir, "warm-up.ts");
    if (!existsSync(file)) {
      await mkdir(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, `// Loaded by koan worker task processes ahead of tasks (see src/orchestrators/queue/task-main.ts).\nexport { step } from "koan";\n`);
      await rename(tmp, file);
    }
    const { tsImport } = await import("tsx/esm/api");
    await tsImport(pathToFileURL(file).href, import.meta.url);
  } catch {
    /* a project that does not resolve "koan" this way still works, only slower */
  }
}

function errorOf(e: unknown): StoredError {
  return { code: isKoanError(e) ? e.code : "INTERNAL", message: messageOf(e), ...(isKoanError(e) && e.hint ? { hint: e.hint } : {}), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) };
}

async function main(): Promise<void> {
  const { Koan } = await import("../../client/client.js");
  const { stepRun } = await import("../../runner/step-run.js");
  // Load the public API now, so a task starts without that delay.
  await import("../../index.js");
  const koan = await Koan.open({ dir: process.env.KOAN_PROJECT_DIR ?? process.cwd(), ...(process.env.KOAN_STACK ? { stack: process.env.KOAN_STACK } : {}) });
  await warmUp(koan.project.dir);
  let controller = new AbortController();
  // The worker asks a step to stop (its run was cancelled) with SIGTERM.
  process.on("SIGTERM", () => controller.abort());
  const send = (m: TaskReply): Promise<void> => new Promise((resolve) => (process.send ? process.send(m, () => resolve()) : resolve()));
  let queue = Promise.resolve();
  process.on("message", (req: TaskRequest) => {
    queue = queue.then(async () => {
      controller = new AbortController();
      let reply: TaskReply;
      try {
        if (req.kind === "step" || req.kind === "merge") {
          const shards = req.kind === "step" ? ("fan-out" as const) : { parts: req.parts };
          const r = await stepRun({ koan, run: req.runId, step: req.step, signal: controller.signal, shards });
          reply =
            r.status === "fan-out"
              ? { type: "fan-out", count: r.shardCount ?? 0 }
              : { type: "step", status: r.status, already: r.already, cacheHit: r.cacheHit, stepRunId: r.stepRunId ?? null, error: r.error ? errorOf(r.error) : null };
        } else if (req.kind === "shard") {
          const r = await stepRun({ koan, run: req.runId, step: req.step, signal: controller.signal, shards: { shard: { index: req.index, count: req.count } } });
          reply = r.part
            ? { type: "part", index: req.index, part: r.part }
            : { type: "error", error: r.error ? errorOf(r.error) : { code: "STEP_FAILED", message: `shard ${req.index} of step "${req.step}" gave no result (the step ${r.status})` } };
        } else {
          const { startScheduledRun } = await import("./schedule-run.js");
          reply = { type: "scheduled", runId: await startScheduledRun(koan, req.task) };
        }
      } catch (e) {
        reply = { type: "error", error: errorOf(e) };
      }
      await send(reply);
    });
  });
  await send({ type: "ready" });
}

main().catch((e: unknown) => {
  process.stderr.write(`task process failed to start: ${e instanceof KoanError ? `${e.message}${e.hint ? ` (${e.hint})` : ""}` : messageOf(e)}\n`);
  process.exit(3);
});
