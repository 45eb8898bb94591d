/**
 * Run progress on the terminal: a live view on a TTY (each step's state, cache hits, elapsed time, redrawn in
 * place), or one plain line per step event otherwise.
 * @module
 */
import type { RunEvent } from "../runner/types.js";
import { ms, paint } from "./output.js";

interface Row {
  state: string;
  started?: number;
  duration?: number;
  cacheHit?: boolean;
  attempt?: number;
  /** The latest line about a step running elsewhere (its job's state or log). */
  detail?: string;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Create a progress reporter writing to `stream`. Call `stop()` when the run ends. */
export function progress(stream: NodeJS.WriteStream = process.stderr): { onEvent: (e: RunEvent) => void; stop: () => void } {
  const tty = Boolean(stream.isTTY);
  const rows = new Map<string, Row>();
  let drawn = 0;
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;

  const symbol = (r: Row): string => {
    switch (r.state) {
      case "succeeded":
        return paint("green", "✔", stream);
      case "failed":
        return paint("red", "✖", stream);
      case "running":
        return paint("cyan", FRAMES[frame % FRAMES.length] ?? "*", stream);
      case "skipped":
      case "cancelled":
      case "interrupted":
        return paint("yellow", "-", stream);
      default:
        return paint("dim", "·", stream);
    }
  };
  const draw = (): void => {
    const width = Math.max(...[...rows.keys()].map((k) => k.length), 4);
    const lines = [...rows.entries()].map(([name, r]) => {
      const time = r.state === "running" && r.started ? ms(Date.now() - r.started) : r.duration !== undefined ? ms(r.duration) : "";
      const note = r.cacheHit ? paint("dim", "cached", stream) : r.state === "running" && r.detail ? paint("dim", r.detail.slice(0, 80), stream) : r.state === "running" && (r.attempt ?? 1) > 1 ? `attempt ${r.attempt}` : r.state === "succeeded" ? "" : r.state;
      return `${symbol(r)} ${name.padEnd(width)}  ${time.padStart(6)}  ${note}`.trimEnd();
    });
    if (drawn) stream.write(`\u001b[${drawn}A`);
    stream.write(lines.map((l) => `\u001b[2K${l}\n`).join(""));
    drawn = lines.length;
  };

  const onEvent = (e: RunEvent): void => {
    switch (e.type) {
      case "run-started":
        for (const s of e.steps) rows.set(s, { state: "pending" });
        if (tty) {
          draw();
          timer = setInterval(() => {
            frame++;
            draw();
          }, 100);
          timer.unref();
        } else stream.write(`run ${e.runId} of ${e.pipeline}: ${e.steps.length} steps\n`);
        return;
      case "step-started": {
        rows.set(e.step, { state: "running", started: Date.now(), attempt: e.attempt });
        if (!tty) stream.write(`[${e.step}] started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}\n`);
        break;
      }
      case "step-retrying":
        if (!tty) stream.write(`[${e.step}] failed, retrying: ${e.error}\n`);
        break;
      case "step-finished": {
        rows.set(e.step, { state: e.status, duration: e.durationMs, cacheHit: e.cacheHit });
        if (!tty) stream.write(`[${e.step}] ${e.cacheHit ? "cached" : e.status} ${ms(e.durationMs)}${e.error ? `: ${e.error}` : ""}\n`);
        break;
      }
      case "run-finished":
        if (!tty) stream.write(`run ${e.runId} ${e.status} in ${ms(e.durationMs)}\n`);
        break;
      case "step-log": {
        const row = rows.get(e.step);
        if (row) row.detail = e.line;
        if (!tty) stream.write(`[${e.step}] ${e.line}\n`);
        break;
      }
    }
    if (tty) draw();
  };
  return {
    onEvent,
    stop: () => {
      if (timer) clearInterval(timer);
      if (tty && rows.size) draw();
    },
  };
}
