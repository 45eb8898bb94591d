/** `koan run <file>`: load a pipeline file, resolve parameters, run it with live progress. @module */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { Koan } from "../../client/client.js";
import { KoanError } from "../../core/errors.js";
import { parseParamFlags, type ParamOverrides } from "../../core/params.js";
import { loadPipelineFile } from "../../loader/pipeline-file.js";
import { parseBackendFlags } from "../../backends/plan.js";
import { progress } from "../live.js";
import { EXIT, ms, paint, printJson, reportError } from "../output.js";

interface RunFlags {
  param: string[];
  config?: string;
  cache: boolean;
  seed?: string;
  concurrency?: string;
  backend?: string[];
  detach?: boolean;
  stack?: string;
  project?: string;
  json?: boolean;
}

const configSchema = z
  .object({
    params: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    seed: z.number().int().optional(),
    concurrency: z.number().int().min(1).optional(),
  })
  .strict();

async function readConfig(path: string): Promise<z.infer<typeof configSchema>> {
  const file = resolve(path);
  const text = await readFile(file, "utf8").catch(() => {
    throw new KoanError("USAGE", `config file ${file} does not exist`);
  });
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new KoanError("CONFIG_INVALID", `${file}: ${(e as Error).message}`);
  }
  const r = configSchema.safeParse(raw ?? {});
  if (!r.success) {
    const i = r.error.issues[0];
    throw new KoanError("CONFIG_INVALID", `${file}: ${i?.path.join(".") || "(root)"}: ${i?.message}`, { hint: "a config file holds params (per step), seed and concurrency" });
  }
  return r.data;
}

function intFlag(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw new KoanError("USAGE", `--${name} must be an integer, got "${v}"`);
  return Number(v);
}

export default async function run(file: string, flags: RunFlags): Promise<number> {
  const json = Boolean(flags.json);
  const { overrides, raw } = parseParamFlags(flags.param);
  const config = flags.config ? await readConfig(flags.config) : {};
  const seed = intFlag("seed", flags.seed);
  const concurrency = intFlag("concurrency", flags.concurrency);
  const backends = parseBackendFlags(flags.backend ?? []);
  const loaded = await loadPipelineFile(file);
  const koan = await Koan.open({ dir: flags.project ?? process.cwd(), init: true, ...(flags.stack ? { stack: flags.stack } : {}) });
  if (koan.created && !json) process.stderr.write(`initialised a Koan project in ${koan.project.dir} (.koan/)\n`);
  if (flags.detach) {
    try {
      if (Object.keys(backends).length) throw new KoanError("USAGE", "--backend and --detach cannot be combined: a detached run's steps run on the queue's workers");
      const base = { params: overrides as ParamOverrides, rawParams: raw, cache: flags.cache, pipelineFile: loaded.file, sourceHash: loaded.sourceHash, ...(seed !== undefined ? { seed } : {}), ...(concurrency !== undefined ? { concurrency } : {}) };
      const record = await koan.submit(loaded.pipeline, Koan.withConfig(base, config as { params?: ParamOverrides; seed?: number; concurrency?: number }));
      if (json) printJson({ runId: record.id, pipeline: record.pipeline, status: record.status, detached: true });
      else process.stderr.write(`started run ${record.id} on stack "${koan.stack.name}" (follow: koan runs show ${record.id} --follow${flags.stack ? ` --stack ${flags.stack}` : ""}; stop: koan runs cancel ${record.id})\n`);
      process.stdout.write(json ? "" : `${record.id}\n`);
      return EXIT.ok;
    } finally {
      await koan.close();
    }
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.interrupted);
    if (!json) process.stderr.write("\ncancelling: running steps are marked cancelled (Ctrl-C again to quit at once)\n");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const view = json ? undefined : progress(process.stderr);
  try {
    const result = await koan.run(
      loaded.pipeline,
      Koan.withConfig(
        {
          params: overrides as ParamOverrides,
          rawParams: raw,
          cache: flags.cache,
          pipelineFile: loaded.file,
          sourceHash: loaded.sourceHash,
          signal: controller.signal,
          ...(seed !== undefined ? { seed } : {}),
          ...(concurrency !== undefined ? { concurrency } : {}),
          ...(Object.keys(backends).length ? { backends } : {}),
          ...(view ? { onEvent: view.onEvent } : {}),
        },
        config as { params?: ParamOverrides; seed?: number; concurrency?: number },
      ),
    );
    view?.stop();
    if (json) {
      printJson({
        runId: result.runId,
        pipeline: loaded.pipeline.name,
        status: result.status,
        durationMs: result.durationMs,
        steps: result.steps.map((s) => ({ step: s.step, status: s.status, cacheHit: s.cacheHit, durationMs: s.durationMs, attempts: s.attempts, error: s.error })),
        outputs: Object.fromEntries(Object.entries(result.outputs).map(([step, ports]) => [step, Object.fromEntries(Object.entries(ports).map(([p, a]) => [p, a.id]))])),
        ...(result.error ? { error: result.error.toJSON() } : {}),
      });
    } else {
      const hits = result.steps.filter((s) => s.cacheHit).length;
      const colour = result.status === "succeeded" ? "green" : "red";
      process.stderr.write(`${paint(colour, result.status, process.stderr)} run ${result.runId} in ${ms(result.durationMs)} (${result.steps.length} steps, ${hits} cached)\n`);
      if (result.error) reportError(result.error, false);
    }
    if (result.status === "cancelled") return EXIT.interrupted;
    return result.status === "succeeded" ? EXIT.ok : EXIT.failed;
  } finally {
    view?.stop();
    process.off("SIGINT", onSigint);
    await koan.close();
  }
}
