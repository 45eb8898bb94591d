/** `koan schedule add|list|remove`: runs of a pipeline file on a cron pattern or interval (queue stacks). @module */
import { addSchedule, listSchedules, parseEvery, removeSchedule, type ScheduleInfo } from "../../orchestrators/queue/schedules.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, ms, printJson, table } from "../output.js";

const when = (s: ScheduleInfo): string => (s.cron ? `cron ${s.cron}${s.tz ? ` (${s.tz})` : ""}` : `every ${ms(s.everyMs)}`);

/** `koan schedule add <file>`; resolves to the exit code. */
export async function add(file: string, flags: ProjectOptions & { cron?: string; every?: string; tz?: string; name?: string; param: string[]; cache: boolean; json?: boolean }): Promise<number> {
  const everyMs = flags.every === undefined ? undefined : parseEvery(flags.every);
  return withClient(flags, async (koan) => {
    const s = await addSchedule(koan, {
      file,
      params: flags.param,
      ...(flags.cron !== undefined ? { cron: flags.cron } : {}),
      ...(everyMs !== undefined ? { everyMs } : {}),
      ...(flags.tz ? { tz: flags.tz } : {}),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.cache === false ? { noCache: true } : {}),
    });
    if (flags.json) printJson(s);
    else process.stdout.write(`schedule "${s.name}": ${s.pipelinePath}, ${when(s)}; next run ${s.next ?? "-"} (needs a running koan worker)\n`);
    return EXIT.ok;
  });
}

/** `koan schedule list`; resolves to the exit code. */
export async function list(flags: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(flags, async (koan) => {
    const all = await listSchedules(koan);
    if (flags.json) printJson(all);
    else if (!all.length) process.stdout.write(`no schedules on stack "${koan.stack.name}": koan schedule add <pipeline.ts> --cron "0 3 * * *"\n`);
    else {
      process.stdout.write(
        `${table(
          all.map((s) => ({ name: s.name, pipeline: s.pipelinePath, when: when(s), next: s.next?.replace("T", " ").slice(0, 19) ?? "-", fired: String(s.fired), params: s.params.join(" ") })),
          ["name", "pipeline", "when", "next", "fired", "params"],
        )}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** `koan schedule remove <name>`; resolves to the exit code. */
export async function remove(name: string, flags: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(flags, async (koan) => {
    await removeSchedule(koan, name);
    if (flags.json) printJson({ removed: name });
    else process.stdout.write(`removed schedule "${name}"\n`);
    return EXIT.ok;
  });
}
