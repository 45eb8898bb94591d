/**
 * Live step logs: while a step runs, its log lines are appended (every {@link LIVE_FLUSH_MS}) to a file named by
 * its step run id, so the dashboard can show a running step's log before the runner stores the whole log as a
 * blob when the step ends. The file starts with every line logged so far (earlier attempts included) and is
 * removed when the attempt ends. It lives in `KOAN_LIVE_LOG_DIR`, by default a folder of the system's temporary
 * directory readable only by its owner: live logs are visible to dashboards on the machine that runs the step.
 * @module
 */
import { appendFile, mkdir, open, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LogSink } from "./logs.js";

/** Milliseconds between appends of new lines. */
export const LIVE_FLUSH_MS = 250;
const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** The folder of live log files. */
export function liveLogDir(): string {
  return process.env.KOAN_LIVE_LOG_DIR || join(tmpdir(), "koan-live-logs");
}

/** The live log file of a step run, or undefined for an id that cannot name one. */
export function liveLogPath(stepRunId: string): string | undefined {
  return ID.test(stepRunId) ? join(liveLogDir(), `${stepRunId}.log`) : undefined;
}

/** A step run's live log being written. */
export interface LiveLog {
  /** Write what is pending and remove the file. */
  close(): Promise<void>;
}

/**
 * Start mirroring `sink` into the live log file of `stepRunId`. Never throws: a live log that cannot be written
 * is skipped (the stored log is unaffected).
 */
export async function startLiveLog(stepRunId: string, sink: LogSink): Promise<LiveLog> {
  const path = liveLogPath(stepRunId);
  if (!path) return { close: async () => {} };
  try {
    await mkdir(liveLogDir(), { recursive: true, mode: 0o700 });
    await writeFile(path, sink.lines.map((l) => `${l}\n`).join(""), { mode: 0o600 });
  } catch {
    return { close: async () => {} };
  }
  let pending: string[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (!pending.length) return writing;
    const text = pending.map((l) => `${l}\n`).join("");
    pending = [];
    writing = writing.then(() => appendFile(path, text)).catch(() => undefined);
    return writing;
  };
  const untap = sink.tap((line) => pending.push(line));
  const timer = setInterval(() => void flush(), LIVE_FLUSH_MS);
  timer.unref();
  return {
    async close() {
      clearInterval(timer);
      untap();
      await flush();
      await rm(path, { force: true }).catch(() => undefined);
    },
  };
}

/**
 * Read a live log from byte `offset`: the new text (whole lines only) and the offset after it; `reset` when the
 * file is shorter than `offset` (a new attempt rewrote it: the text is then the whole file). Undefined when there
 * is no live log.
 */
export async function readLiveLog(stepRunId: string, offset = 0, maxBytes = 1 << 20): Promise<{ text: string; next: number; reset: boolean } | undefined> {
  const path = liveLogPath(stepRunId);
  if (!path) return undefined;
  const file = await open(path, "r").catch(() => undefined);
  if (!file) return undefined;
  try {
    const size = (await file.stat()).size;
    const reset = size < offset;
    let from = reset ? 0 : offset;
    if (size - from > maxBytes) from = size - maxBytes; // only the end of a very long log
    const buf = Buffer.alloc(size - from);
    const { bytesRead } = await file.read(buf, 0, buf.length, from);
    const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a) + 1; // whole lines only
    return { text: buf.subarray(0, end).toString("utf8"), next: from + end, reset };
  } finally {
    await file.close();
  }
}
