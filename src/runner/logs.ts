/**
 * Step log capture. `ctx.log` writes here, and so does `console.*` called from step code: an
 * AsyncLocalStorage routes each call to the step whose code made it, even with steps running concurrently.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { format } from "node:util";
import type { StepLogger } from "../core/step.js";

/** A metric value logged by step code. */
export interface LoggedMetric {
  name: string;
  value: number;
  step: number | null;
  at: string;
}

/** Collects one step run's log lines and metrics. */
export class LogSink {
  readonly lines: string[] = [];
  readonly metrics: LoggedMetric[] = [];
  readonly #taps = new Set<(line: string) => void>();

  line(level: string, message: string): void {
    for (const l of message.split("\n")) {
      const text = `${new Date().toISOString()} ${level.padEnd(5)} ${l}`;
      this.lines.push(text);
      for (const tap of this.#taps) tap(text);
    }
  }

  /** Be told of every line added from now on (e.g. to make a running step's log visible); returns the undo. */
  tap(listener: (line: string) => void): () => void {
    this.#taps.add(listener);
    return () => this.#taps.delete(listener);
  }

  logger(): StepLogger {
    return {
      debug: (m) => this.line("DEBUG", m),
      info: (m) => this.line("INFO", m),
      warn: (m) => this.line("WARN", m),
      error: (m) => this.line("ERROR", m),
      metric: (name, value, step) => {
        if (typeof name !== "string" || !name) throw new TypeError("metric name must be a non-empty string");
        if (typeof value !== "number" || Number.isNaN(value)) throw new TypeError(`metric "${name}" must be a number, got ${String(value)}`);
        if (step !== undefined && !Number.isInteger(step)) throw new TypeError(`metric "${name}": step must be an integer`);
        this.metrics.push({ name, value, step: step ?? null, at: new Date().toISOString() });
      },
    };
  }

  text(): string {
    return this.lines.length ? `${this.lines.join("\n")}\n` : "";
  }
}

const current = new AsyncLocalStorage<LogSink>();
let installed = false;

/** Route `console.*` calls made inside `fn` (and everything it awaits) to `sink`. */
export function withLogSink<T>(sink: LogSink, fn: () => Promise<T>): Promise<T> {
  installConsoleCapture();
  return current.run(sink, fn);
}

function installConsoleCapture(): void {
  if (installed) return;
  installed = true;
  const levels = { log: "INFO", info: "INFO", debug: "DEBUG", warn: "WARN", error: "ERROR" } as const;
  for (const [method, level] of Object.entries(levels) as [keyof typeof levels, string][]) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      const sink = current.getStore();
      if (sink) sink.line(level, format(...args));
      else original(...args);
    };
  }
}
