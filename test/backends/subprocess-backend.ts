/**
 * A step backend for tests: each job is a separate `koan step-run <run> <step>` process on this machine, started
 * with the job's command line and environment — exactly what a Vertex AI or Kubernetes job runs in the image —
 * against the same local stack. Registered as flavor `subprocess` (not remote: local stores are reachable).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { z } from "zod";
import { defineStepBackend } from "../../src/backends/flavors.js";
import type { JobHandle, JobStatus, StepBackend, StepJob } from "../../src/backends/types.js";
import { BIN } from "../helpers.js";

interface Proc {
  child: ChildProcess;
  output: string[];
  reported: number;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  cancelled: boolean;
}

/** Jobs the backend started (for assertions), by job name. */
export const started = new Map<string, { job: StepJob; proc: Proc }>();

const config = z.object({ image: z.string().default("local"), projectDir: z.string(), startTimeoutMs: z.number().optional(), pollMs: z.number().optional(), env: z.record(z.string(), z.string()).optional(), failSubmit: z.boolean().default(false) }).strict();

function createSubprocessBackend(cfg: z.infer<typeof config>): StepBackend {
  return {
    flavor: "subprocess",
    check: async () => undefined,
    request: (job) => ({ command: job.command, env: job.env }),
    async submit(job): Promise<JobHandle> {
      if (cfg.failSubmit) throw new Error("the platform refused the job: quota exceeded for resource 'gpus'");
      const [, ...args] = job.command;
      const env = { ...process.env, ...Object.fromEntries(job.env.map((e) => [e.name, e.value])) };
      const child = spawn(process.execPath, [BIN, ...args], { cwd: cfg.projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
      const proc: Proc = { child, output: [], reported: 0, cancelled: false };
      const take = (d: Buffer): void => {
        for (const l of d.toString("utf8").split("\n")) if (l.trim()) proc.output.push(l);
      };
      child.stdout?.on("data", take);
      child.stderr?.on("data", take);
      child.on("exit", (code, signal) => (proc.exit = { code, signal }));
      started.set(job.name, { job, proc });
      return { id: `pid/${child.pid}`, name: job.name };
    },
    async status(handle): Promise<JobStatus> {
      const proc = started.get(handle.name)?.proc;
      if (!proc) return { phase: "failed", error: { reason: "error", message: "no such job" } };
      if (!proc.exit) return { phase: "running", lastEvent: "process running" };
      if (proc.cancelled) return { phase: "cancelled" };
      if (proc.exit.code === 0) return { phase: "succeeded" };
      return { phase: "failed", error: { reason: "error", message: `process exited with ${proc.exit.signal ?? `code ${proc.exit.code}`}` } };
    },
    async logs(handle) {
      const proc = started.get(handle.name)?.proc;
      if (!proc) return [];
      const lines = proc.output.slice(proc.reported);
      proc.reported = proc.output.length;
      return lines;
    },
    async cancel(handle) {
      const proc = started.get(handle.name)?.proc;
      if (!proc || proc.exit) return;
      proc.cancelled = true;
      proc.child.kill("SIGTERM");
      await new Promise<void>((resolve) => (proc.exit ? resolve() : proc.child.once("exit", () => resolve())));
    },
  };
}

defineStepBackend<z.infer<typeof config>>({
  name: "subprocess",
  remote: false,
  description: "test: koan step-run in a separate local process",
  config,
  load: async () => async (c) => createSubprocessBackend(c),
});
