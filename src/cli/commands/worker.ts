/**
 * `koan worker [--stack s] [--concurrency n]`: serve a queue stack's tasks until Ctrl-C (or SIGTERM): the first
 * stops taking tasks and waits for the running ones, a second stops at once (other workers retry its tasks).
 * @module
 */
import { KoanError } from "../../core/errors.js";
import { startWorker } from "../../orchestrators/queue/worker.js";
import { EXIT } from "../output.js";

/** Run the command until the worker is stopped; resolves to the exit code. */
export default async function worker(flags: { stack?: string; project?: string; concurrency?: string }): Promise<number> {
  const raw = flags.concurrency ?? "1";
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new KoanError("USAGE", `--concurrency must be a whole number ≥ 1, got "${raw}"`);
  const log = (line: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const w = await startWorker({ ...(flags.project ? { dir: flags.project } : {}), ...(flags.stack ? { stack: flags.stack } : {}), concurrency: Number(raw), log });
  await new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (): void => {
      signals++;
      if (signals === 1) {
        log("stopping: no new tasks; waiting for the running ones (Ctrl-C again to stop at once: other workers retry them)");
        void w.close(false).then(resolve);
      } else {
        log("stopping at once");
        void w.close(true).then(resolve);
      }
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  log(`worker ${w.name} stopped`);
  return EXIT.ok;
}
