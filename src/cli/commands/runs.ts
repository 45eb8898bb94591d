/** `koan runs`: list runs, newest first. @module */
import { KoanError } from "../../core/errors.js";
import type { RunStatus } from "../../stores/metadata/types.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, ms, paint, printJson, table } from "../output.js";

const STATUSES = ["running", "succeeded", "failed", "cancelled", "interrupted"];

export default async function runs(opts: ProjectOptions & { pipeline?: string; status?: string; limit: string; json?: boolean }): Promise<number> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new KoanError("USAGE", `--limit must be a whole number ≥ 1, got "${opts.limit}"`);
  if (opts.status && !STATUSES.includes(opts.status)) throw new KoanError("USAGE", `--status must be one of ${STATUSES.join(", ")}`);
  return withClient(opts, async (koan) => {
    const list = await koan.runs({ ...(opts.pipeline ? { pipeline: opts.pipeline } : {}), ...(opts.status ? { status: opts.status as RunStatus } : {}), limit });
    if (opts.json) {
      printJson(list.map((r) => ({ id: r.id, pipeline: r.pipeline, status: r.status, startedAt: r.startedAt, endedAt: r.endedAt, durationMs: r.endedAt ? Date.parse(r.endedAt) - Date.parse(r.startedAt) : null })));
      return EXIT.ok;
    }
    if (!list.length) {
      process.stdout.write("no runs yet: koan run <pipeline.ts>\n");
      return EXIT.ok;
    }
    const colour = (s: string): string => paint(s === "succeeded" ? "green" : s === "running" ? "cyan" : s === "failed" ? "red" : "yellow", s);
    process.stdout.write(
      `${table(
        list.map((r) => ({ id: r.id, pipeline: r.pipeline, status: colour(r.status), started: r.startedAt.replace("T", " ").slice(0, 19), duration: r.endedAt ? ms(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : "-" })),
        ["id", "pipeline", "status", "started", "duration"],
      )}\n`,
    );
    return EXIT.ok;
  });
}
