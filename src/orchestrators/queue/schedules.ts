/**
 * Schedules on a `queue` stack: BullMQ job schedulers that, on a cron pattern or every so often, put a task on the
 * queue; a worker then starts a run of the schedule's pipeline file — an ordinary tracked run, like
 * `koan run --detach`. The pipeline file and its parameters are checked when the schedule is added.
 * Schedules live in Redis (give it persistence, or add them again after it lost its data).
 * @module
 */
import { relative, resolve, sep } from "node:path";
import type { Koan } from "../../client/client.js";
import { KoanError, messageOf } from "../../core/errors.js";
import { createComponent } from "../../core/flavor.js";
import { parseParamFlags, resolveParams, type ParamOverrides } from "../../core/params.js";
import { checkName } from "../../core/step.js";
import { loadPipelineFile } from "../../loader/pipeline-file.js";
import { KOAN_VERSION } from "../../version.js";
import type { QueueOrchestrator } from "./orchestrator.js";
import { openQueue, type OpenQueue } from "./queue.js";
import { JOB_NAMES, type ScheduleTask } from "./tasks.js";

/** What to schedule. */
export interface ScheduleSpec {
  /** The pipeline file (inside the project). */
  file: string;
  /** The schedule's name (default: the pipeline's name); adding a name again replaces that schedule. */
  name?: string;
  /** A cron pattern (`0 3 * * *`; seconds may lead: `*\/10 * * * * *`). */
  cron?: string;
  /** Or an interval in ms. */
  everyMs?: number;
  /** Time zone of the cron pattern (IANA name, default the workers'). */
  tz?: string;
  /** `--param step.key=value` flags for every run. */
  params?: string[];
  /** Recompute every step in each run (default: reuse cached results). */
  noCache?: boolean;
}

/** A schedule as stored. */
export interface ScheduleInfo {
  name: string;
  pipelinePath: string;
  cron: string | null;
  everyMs: number | null;
  tz: string | null;
  params: string[];
  noCache: boolean;
  /** When it fires next (ISO time), if known. */
  next: string | null;
  /** How many times it has fired. */
  fired: number;
}

async function queueOf(koan: Koan): Promise<{ open: OpenQueue; orchestrator: QueueOrchestrator }> {
  const c = koan.stack.orchestrator;
  if (c.flavor !== "queue") {
    throw new KoanError("USAGE", `stack "${koan.stack.name}" uses the ${c.flavor} orchestrator; schedules need a stack with the queue orchestrator`, { hint: "see docs/distributed.md" });
  }
  const orchestrator = await createComponent<QueueOrchestrator>("orchestrator", "queue", c.config, { projectDir: koan.project.dir });
  return { open: await openQueue(orchestrator.config, koan.stack.name), orchestrator };
}

/** Parse an interval: ms, or a number with s, m, h or d. */
export function parseEvery(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
  const ms = m ? Math.round(Number(m[1]) * unit[(m[2] ?? "ms") as keyof typeof unit]) : NaN;
  if (!(ms >= 100)) throw new KoanError("USAGE", `--every "${text}" is not an interval of at least 100 ms`, { hint: "e.g. --every 30s, --every 15m, --every 1h" });
  return ms;
}

/** Add (or replace) a schedule; nothing is written when the file, its parameters or the cron pattern are bad. */
export async function addSchedule(koan: Koan, spec: ScheduleSpec): Promise<ScheduleInfo> {
  if ((spec.cron === undefined) === (spec.everyMs === undefined)) throw new KoanError("USAGE", "give exactly one of --cron and --every");
  const loaded = await loadPipelineFile(resolve(spec.file));
  const rel = relative(koan.project.dir, loaded.file);
  if (rel.startsWith("..") || resolve(koan.project.dir, rel) !== loaded.file) {
    throw new KoanError("USAGE", `pipeline file ${loaded.file} is not inside the project at ${koan.project.dir}`, { hint: "workers load it from their checkout of the project: keep pipeline files inside it" });
  }
  const { overrides, raw } = parseParamFlags(spec.params ?? []);
  await resolveParams(loaded.pipeline, overrides as ParamOverrides, raw);
  const name = checkName("schedule", spec.name ?? loaded.pipeline.name);
  const task: ScheduleTask = { kind: "schedule", schedule: name, pipelinePath: rel.split(sep).join("/"), params: spec.params ?? [], ...(spec.noCache ? { noCache: true } : {}), koan: KOAN_VERSION };
  const { open } = await queueOf(koan);
  try {
    try {
      await open.queue.upsertJobScheduler(
        name,
        { ...(spec.cron !== undefined ? { pattern: spec.cron } : { every: spec.everyMs as number }), ...(spec.tz ? { tz: spec.tz } : {}) },
        { name: JOB_NAMES.schedule, data: task, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
      );
    } catch (e) {
      if (e instanceof KoanError) throw e;
      throw new KoanError("USAGE", `schedule "${name}": ${spec.cron !== undefined ? `cron pattern "${spec.cron}"` : "interval"}${spec.tz ? ` in time zone ${spec.tz}` : ""} is not valid: ${messageOf(e)}`, {
        hint: 'a cron pattern has 5 fields (minute hour day month weekday), or 6 with seconds first: --cron "0 3 * * *"',
      });
    }
    const info = (await listOn(open)).find((s) => s.name === name);
    if (!info) throw new KoanError("INTERNAL", `schedule "${name}" was not stored`);
    return info;
  } finally {
    await open.close();
  }
}

async function listOn(open: OpenQueue): Promise<ScheduleInfo[]> {
  const out: ScheduleInfo[] = [];
  for (const s of await open.queue.getJobSchedulers(0, -1, true)) {
    const task = s.template?.data as ScheduleTask | undefined;
    if (task?.kind !== "schedule") continue;
    out.push({
      name: s.key,
      pipelinePath: task.pipelinePath,
      cron: s.pattern ?? null,
      everyMs: s.every ?? null,
      tz: s.tz ?? null,
      params: task.params,
      noCache: Boolean(task.noCache),
      next: s.next ? new Date(s.next).toISOString() : null,
      fired: s.iterationCount ?? 0,
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The stack's schedules, by name. */
export async function listSchedules(koan: Koan): Promise<ScheduleInfo[]> {
  const { open } = await queueOf(koan);
  try {
    return await listOn(open);
  } finally {
    await open.close();
  }
}

/** Remove a schedule (`NOT_FOUND` when there is none of that name). Runs it already started go on. */
export async function removeSchedule(koan: Koan, name: string): Promise<void> {
  const { open } = await queueOf(koan);
  try {
    const known = await listOn(open);
    if (!known.some((s) => s.name === name)) {
      throw new KoanError("NOT_FOUND", `stack "${koan.stack.name}" has no schedule "${name}"`, { hint: known.length ? `schedules: ${known.map((s) => s.name).join(", ")}` : "add one with koan schedule add" });
    }
    await open.queue.removeJobScheduler(name);
  } finally {
    await open.close();
  }
}
