/**
 * The task processes of a queue worker: one per slot (`--concurrency`), started ahead of time (Koan loaded, the
 * stack open, the TypeScript loader warm), each running one task at a time. Steps run outside the worker's own
 * event loop, so a CPU-bound step never delays the worker's hold on its jobs. A process is replaced when it dies,
 * is killed (cancel), or has run `maxTasks` tasks (so memory a step leaks is returned).
 * @module
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TaskReply, TaskRequest } from "./protocol.js";

const ENTRY = fileURLToPath(new URL("./task-main.js", import.meta.url));

/** How a task ended from the worker's side. */
export type TaskOutcome = Exclude<TaskReply, { type: "ready" }> | { type: "crashed"; code: number | null; signal: NodeJS.Signals | null };

interface Slot {
  child: ChildProcess;
  /** Resolves true when the process is ready, false when it died first. */
  ready: Promise<boolean>;
  /** Resolves when the process exits. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Prefix of its output lines (the current task). */
  label: string;
  busy: boolean;
  /** True once the process said it is ready. */
  warm: boolean;
  tasks: number;
  /** The process that takes over once this one has run its last task (started during that task, so it is warm). */
  successor?: Slot;
}

/** Options of a {@link TaskPool}. */
export interface PoolOptions {
  /** How many tasks run at once (one process each). */
  size: number;
  projectDir: string;
  stack: string;
  /** Each output line of a task process, with its label. */
  onLine: (label: string, line: string) => void;
  /** Tasks a process runs before it is replaced (default 25). */
  maxTasks?: number;
}

/** A worker's task processes (see the module description). */
export class TaskPool {
  private readonly slots: Slot[] = [];
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const child = fork(ENTRY, [], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: { ...process.env, KOAN_PROJECT_DIR: this.options.projectDir, KOAN_STACK: this.options.stack },
    });
    let onReady: (ok: boolean) => void = () => undefined;
    const ready = new Promise<boolean>((r) => (onReady = r));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on("exit", (code, signal) => {
        onReady(false);
        resolve({ code, signal });
      }),
    );
    const slot: Slot = { child, ready, exited, label: "task process", busy: false, warm: false, tasks: 0 };
    child.on("message", (m: TaskReply) => {
      if (m.type !== "ready") return;
      slot.warm = true;
      onReady(true);
    });
    const relay = (chunk: Buffer): void => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.options.onLine(slot.label, line);
    };
    child.stdout?.on("data", relay);
    child.stderr?.on("data", relay);
    return slot;
  }

  private alive(slot: Slot): boolean {
    return slot.child.exitCode === null && slot.child.signalCode === null;
  }

  /** Run one task in an idle process; `onStart` gets the process (to signal it). Resolves when the task ended. */
  async run(request: TaskRequest, label: string, onStart?: (child: ChildProcess) => void): Promise<TaskOutcome> {
    if (this.closed) return { type: "crashed", code: null, signal: "SIGTERM" };
    let index = this.slots.findIndex((s) => !s.busy);
    if (index < 0) {
      this.slots.push(this.spawn());
      index = this.slots.length - 1;
    }
    let slot = this.slots[index] as Slot;
    slot.busy = true;
    try {
      // A process that died while idle (or could not open the stack) is replaced once.
      if (!this.alive(slot) || !(await slot.ready)) {
        slot = this.spawn();
        slot.busy = true;
        this.slots[index] = slot;
        if (!(await slot.ready)) return { type: "crashed", ...(await slot.exited) };
      }
      slot.label = label;
      slot.tasks++;
      // Warm a successor a few tasks ahead; the old process serves until it is ready.
      if (slot.tasks >= (this.options.maxTasks ?? 25) - 3 && !this.closed) slot.successor ??= this.spawn();
      onStart?.(slot.child);
      const child = slot.child;
      const answer = new Promise<TaskOutcome>((resolve) => {
        const onMessage = (m: TaskReply): void => {
          if (m.type === "ready") return;
          child.off("message", onMessage);
          resolve(m);
        };
        child.on("message", onMessage);
        void slot.exited.then((e) => resolve({ type: "crashed", ...e }));
      });
      child.send(request);
      return await answer;
    } finally {
      slot.label = "task process";
      slot.busy = false;
      const retire = slot.tasks >= (this.options.maxTasks ?? 25) && (slot.successor?.warm ?? true);
      if (this.alive(slot) && retire) slot.child.kill("SIGKILL");
      if (!this.alive(slot) || retire) {
        const next = slot.successor;
        slot.successor = undefined;
        if (!this.closed) this.slots[index] = next ?? this.spawn();
        else if (next) next.child.kill("SIGKILL");
      }
    }
  }

  /** Stop the idle processes; with `force`, the busy ones too. */
  async close(force = false): Promise<void> {
    this.closed = true;
    await Promise.all(
      [...this.slots.filter((s) => force || !s.busy), ...this.slots.flatMap((s) => (s.successor ? [s.successor] : []))]
        .map(async (s) => {
          if (this.alive(s)) s.child.kill("SIGKILL");
          await s.exited;
        }),
    );
  }
}
