/**
 * `isolation: "process"`: run an attempt in a child Node process. The child loads the pipeline file, runs the
 * same `runAttempt` against the same artifact store, and reports the stored outputs over IPC; the parent keeps
 * all metadata writes. The child's stdout and stderr become the step's log; cancelling kills the child.
 * @module
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { KoanError } from "../core/errors.js";
import type { AttemptInput, StoredOutput } from "./attempt.js";
import type { RunEnv } from "./types.js";
import type { LoggedMetric } from "./logs.js";

/** The message the parent sends. */
export interface ChildRequest {
  pipelineFile: string;
  projectDir: string;
  artifactStore: RunEnv["stack"]["artifactStore"];
  attempt: Omit<AttemptInput, "step" | "store" | "signal" | "sink">;
}

/** The message the child answers with. */
export type ChildReply =
  | { ok: true; outputs: StoredOutput[]; lines: string[]; metrics: LoggedMetric[] }
  | { ok: false; error: { code: string; message: string; stack?: string }; lines: string[]; metrics: LoggedMetric[] };

const entry = fileURLToPath(new URL("./child-main.js", import.meta.url));

export async function runAttemptInChild(env: RunEnv, a: AttemptInput): Promise<StoredOutput[]> {
  if (!env.pipelineFile) {
    throw new KoanError("STEP_INVALID", `step "${a.node}" asks for isolation "process", but the pipeline was not loaded from a file`, {
      hint: "run it with `koan run <file>` or pass pipelineFile to client.run()",
    });
  }
  const { step: _s, store: _st, signal: _sg, sink: _sk, ...attempt } = a;
  const request: ChildRequest = { pipelineFile: env.pipelineFile, projectDir: env.projectDir, artifactStore: env.stack.artifactStore, attempt };
  const child = fork(entry, [], { stdio: ["ignore", "pipe", "pipe", "ipc"], serialization: "advanced" });
  const capture = (level: string) => (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) if (line) a.sink.line(level, line);
  };
  child.stdout?.on("data", capture("INFO"));
  child.stderr?.on("data", capture("ERROR"));
  const kill = (): void => {
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 2000).unref();
  };
  a.signal.addEventListener("abort", kill, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await new Promise<ChildReply>((resolveReply, reject) => {
      let answered = false;
      child.on("message", (m: ChildReply) => {
        answered = true;
        resolveReply(m);
      });
      child.on("error", reject);
      child.on("exit", (code, signal) => {
        if (a.signal.aborted) reject(new KoanError("RUN_CANCELLED", `step "${a.node}" was cancelled`));
        else if (!answered) reject(new KoanError("STEP_FAILED", `the child process of step "${a.node}" exited (${signal ?? `code ${code}`}) without an answer`));
      });
      if (a.step.timeoutMs !== undefined) {
        const ms = a.step.timeoutMs;
        timer = setTimeout(() => {
          kill();
          reject(new KoanError("STEP_TIMEOUT", `step "${a.node}" timed out after ${ms} ms`));
        }, ms);
      }
      child.send(request);
    });
    for (const l of reply.lines) a.sink.lines.push(l);
    a.sink.metrics.push(...reply.metrics);
    if (!reply.ok) {
      const e = new KoanError(reply.error.code as KoanError["code"], reply.error.message);
      if (reply.error.stack) e.stack = reply.error.stack;
      throw e;
    }
    return reply.outputs;
  } finally {
    if (timer) clearTimeout(timer);
    a.signal.removeEventListener("abort", kill);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
