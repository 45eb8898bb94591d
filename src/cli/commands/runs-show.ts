/** `koan runs show <run> [--follow]` (following: src/cli/run-follow.ts). @module */
import type { Koan } from "../../client/client.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, ms, paint, printJson, table } from "../output.js";
import { followCommand } from "../run-follow.js";

interface ShowFlags extends ProjectOptions {
  logs?: boolean;
  json?: boolean;
  follow?: boolean;
}

/** The run's state as JSON: the run, its steps (with logs when asked) and metrics. */
async function state(koan: Koan, ref: string, logs: boolean): Promise<Record<string, unknown>> {
  const { run, steps } = await koan.runDetails(ref);
  const metrics = await koan.metadata.metricsOfRun(run.id);
  const withLogs = await Promise.all(steps.map(async (s) => ({ ...s, ...(logs ? { log: await koan.stepLog(s) } : {}) })));
  return { run, steps: withLogs, metrics };
}

/** Print the run's state as text. */
async function printText(koan: Koan, ref: string, logs: boolean): Promise<void> {
  const { run, steps } = await koan.runDetails(ref);
  const metrics = await koan.metadata.metricsOfRun(run.id);
  const out = process.stdout;
  out.write(`${paint("bold", `run ${run.id}`)}  pipeline ${run.pipeline}  ${run.status}\n`);
  out.write(`started ${run.startedAt}${run.endedAt ? `  ended ${run.endedAt}` : ""}${run.pipelineFile ? `\nfile ${run.pipelineFile}` : ""}\n`);
  const env = run.environment as { koan?: string; node?: string; git?: { commit: string; dirty: boolean } | null };
  out.write(`koan ${env.koan ?? "?"}  node ${env.node ?? "?"}${env.git ? `  git ${env.git.commit.slice(0, 12)}${env.git.dirty ? " (dirty)" : ""}` : ""}\n`);
  if (run.error) out.write(`${paint("red", "error")} ${run.error.message}\n`);
  out.write("\n");
  out.write(
    `${table(
      steps.map((s) => ({
        step: s.step,
        status: s.status,
        cache: s.cacheHit ? "hit" : s.cacheKey ? "miss" : "-",
        duration: ms(s.durationMs),
        params: JSON.stringify(s.params),
        outputs: Object.entries(s.outputs).map(([p, a]) => `${p}=${a}`).join(" "),
      })),
      ["step", "status", "cache", "duration", "params", "outputs"],
    )}\n`,
  );
  if (metrics.length) {
    out.write(`\n${table(metrics.map((m) => ({ step: m.stepName, metric: m.name, value: String(m.value), at: m.step === null ? "" : String(m.step) })), ["step", "metric", "value", "at"])}\n`);
  }
  for (const s of steps) {
    if (s.error) out.write(`\n${paint("red", `[${s.step}] ${s.error.message}`)}\n${s.error.stack ?? ""}\n`);
    // Following: a running step's log is printed as it is written.
    if (logs && s.status !== "running") {
      const log = await koan.stepLog(s);
      if (log) out.write(`\n${paint("bold", `--- log of ${s.step}`)}\n${log}`);
    }
  }
}

export default async function show(ref: string, opts: ShowFlags): Promise<number> {
  return withClient(opts, async (koan) => {
    const logs = Boolean(opts.logs);
    if (!opts.follow) {
      if (opts.json) printJson(await state(koan, ref, logs));
      else await printText(koan, ref, logs);
      return EXIT.ok;
    }
    const { run, steps } = await koan.runDetails(ref);
    const printState = opts.json
      ? async () => void process.stdout.write(`${JSON.stringify({ type: "run", ...(await state(koan, run.id, logs && run.status !== "running")) })}\n`)
      : () => printText(koan, run.id, logs);
    return followCommand(koan, run, steps, { json: Boolean(opts.json), logs, printState });
  });
}
