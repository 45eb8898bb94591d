/** `koan runs show <run>`. @module */
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, ms, paint, printJson, table } from "../output.js";

export default async function show(ref: string, opts: ProjectOptions & { logs?: boolean; json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const { run, steps } = await koan.runDetails(ref);
    const metrics = await koan.metadata.metricsOfRun(run.id);
    if (opts.json) {
      const withLogs = await Promise.all(steps.map(async (s) => ({ ...s, ...(opts.logs ? { log: await koan.stepLog(s) } : {}) })));
      printJson({ run, steps: withLogs, metrics });
      return EXIT.ok;
    }
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
      if (opts.logs) {
        const log = await koan.stepLog(s);
        if (log) out.write(`\n${paint("bold", `--- log of ${s.step}`)}\n${log}`);
      }
    }
    return EXIT.ok;
  });
}
