/**
 * `commandStep`: run any external program as a step (a Python script, a TFX component, a shell tool).
 * Inputs are handed over as local paths, declared outputs are paths the program writes, the exit code and the
 * program's output are recorded, and the step is cached like any other: the command line, environment and (when
 * given) the script's content hash are part of its identity.
 *
 * Placeholders in `command`: `{inputs.NAME}`, `{outputs.NAME}`, `{params.NAME}`, `{scratch}`.
 *
 * @example
 * ```ts
 * const fit = commandStep({
 *   name: "fit",
 *   command: ["python3", "fit.py", "--data", "{inputs.data}", "--out", "{outputs.model}", "--lr", "{params.lr}"],
 *   script: "fit.py",
 *   inputs: { data: types.dir() },
 *   outputs: { model: types.dir() },
 *   params: z.object({ lr: z.number().default(0.1) }),
 * });
 * ```
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { KoanError } from "./errors.js";
import { canonicalJson, sha256, type JsonValue } from "./hash.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import { callable, makeDefinition, type Ports, type Step, type StepContext, type StepOptions } from "./step.js";

/** Options of {@link commandStep}: the step options that apply to a program, plus how to run it. */
export interface CommandStepOptions<I extends Ports, O extends Ports, S extends StandardSchemaV1 | undefined>
  extends Pick<StepOptions<I, O, S>, "name" | "description" | "inputs" | "params" | "version" | "cache" | "retries" | "timeoutMs"> {
  /** Program and arguments (no shell); placeholders are replaced. */
  command: readonly string[];
  /** A script file whose content hash joins the step's identity (path relative to the current folder). */
  script?: string;
  /** Extra environment variables (part of the identity; never put secrets here). */
  env?: Readonly<Record<string, string>>;
  /** Working folder for the program (default: the current folder). */
  cwd?: string;
  /** Outputs of kind `dir` are created empty before the program starts; `file` and `json` outputs are paths it writes. */
  outputs?: O;
}

const PLACEHOLDER = /\{(inputs|outputs|params)\.([A-Za-z0-9_-]+)\}|\{scratch\}/g;

/** Define a step that runs an external program. */
export function commandStep<I extends Ports = {}, O extends Ports = {}, S extends StandardSchemaV1 | undefined = undefined>(
  options: CommandStepOptions<I, O, S>,
): Step<I, O, S> {
  if (!Array.isArray(options.command) || options.command.length === 0 || options.command.some((c) => typeof c !== "string")) {
    throw new KoanError("STEP_INVALID", `commandStep "${options.name}": command must be a non-empty array of strings`);
  }
  for (const arg of options.command) {
    for (const m of arg.matchAll(PLACEHOLDER)) {
      const [, side, port] = m;
      if (side === "inputs" && !(port! in (options.inputs ?? {}))) throw new KoanError("STEP_INVALID", `commandStep "${options.name}": {inputs.${port}} names no declared input`);
      if (side === "outputs" && !(port! in (options.outputs ?? {}))) throw new KoanError("STEP_INVALID", `commandStep "${options.name}": {outputs.${port}} names no declared output`);
    }
  }
  for (const [port, t] of Object.entries(options.outputs ?? {})) {
    if (!["dir", "file", "json"].includes(t.kind)) throw new KoanError("STEP_INVALID", `commandStep "${options.name}": output "${port}" must be of kind dir, file or json, not ${t.kind}`);
  }
  let scriptHash: string | null = null;
  if (options.script) {
    try {
      scriptHash = sha256(readFileSync(resolve(options.script)));
    } catch (e) {
      throw new KoanError("STEP_INVALID", `commandStep "${options.name}": cannot read script ${resolve(options.script)}: ${(e as Error).message}`);
    }
  }
  const cwd = options.cwd ? resolve(options.cwd) : process.cwd();
  const identity = { command: [...options.command], env: options.env ?? {}, script: options.script ?? null, scriptHash };
  const run = async (ctx: StepContext, inputs: Record<string, unknown>, params: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const paths: Record<string, string> = {};
    const dataDir = join(ctx.scratchDir, "inputs");
    await mkdir(dataDir, { recursive: true });
    for (const [port, t] of Object.entries(options.inputs ?? {})) {
      const v = inputs[port];
      if (t.kind === "file" || t.kind === "dir") paths[`inputs.${port}`] = v as string;
      else if (v instanceof Uint8Array) await writeFile((paths[`inputs.${port}`] = join(dataDir, port)), v);
      else await writeFile((paths[`inputs.${port}`] = join(dataDir, `${port}.json`)), canonicalJson(v));
    }
    const outDir = join(ctx.scratchDir, "outputs");
    for (const [port, t] of Object.entries(options.outputs ?? {})) {
      const p = join(outDir, t.kind === "json" ? `${port}.json` : port);
      if (t.kind === "dir") await mkdir(p, { recursive: true });
      else await mkdir(outDir, { recursive: true });
      paths[`outputs.${port}`] = p;
    }
    for (const [k, v] of Object.entries(params ?? {})) paths[`params.${k}`] = typeof v === "string" ? v : JSON.stringify(v);
    paths.scratch = ctx.scratchDir;
    const argv = options.command.map((arg) =>
      arg.replace(PLACEHOLDER, (whole, side?: string, port?: string) => {
        const key = side ? `${side}.${port}` : "scratch";
        const v = paths[key];
        if (v === undefined) throw new KoanError("STEP_INVALID", `placeholder ${whole} has no value (no parameter "${port}")`);
        return v;
      }),
    );
    const [program, ...args] = argv as [string, ...string[]];
    ctx.log.info(`$ ${argv.map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(" ")}`);
    const code = await new Promise<number>((resolveExit, reject) => {
      const child = spawn(program, args, { cwd, env: { ...process.env, ...options.env, KOAN_RUN_ID: ctx.runId, KOAN_STEP: ctx.step, KOAN_SEED: String(ctx.seed) }, stdio: ["ignore", "pipe", "pipe"] });
      const tail: string[] = [];
      const pipeTo = (level: "info" | "error") => (chunk: Buffer) => {
        for (const line of chunk.toString("utf8").split("\n")) {
          if (!line) continue;
          ctx.log[level](line);
          if (level === "error") tail.push(line), tail.length > 20 && tail.shift();
        }
      };
      child.stdout.on("data", pipeTo("info"));
      child.stderr.on("data", pipeTo("error"));
      const kill = (): void => void child.kill("SIGTERM");
      ctx.signal.addEventListener("abort", kill, { once: true });
      child.on("error", (e) => reject(new KoanError("STEP_FAILED", `cannot start "${program}": ${e.message}`, { hint: "is the program installed and on PATH?" })));
      child.on("close", (c, signal) => {
        ctx.signal.removeEventListener("abort", kill);
        if (c === 0) resolveExit(0);
        else reject(new KoanError("STEP_FAILED", `"${program}" exited with ${signal ? `signal ${signal}` : `code ${c}`}${tail.length ? `: ${tail.slice(-5).join(" | ")}` : ""}`, { details: { exitCode: c } }));
      });
    });
    ctx.log.info(`exit code ${code}`);
    const result: Record<string, unknown> = {};
    for (const [port, t] of Object.entries(options.outputs ?? {})) {
      const p = paths[`outputs.${port}`] as string;
      if (t.kind === "json") {
        const text = await readFile(p, "utf8").catch(() => {
          throw new KoanError("OUTPUT_INVALID", `"${program}" did not write its output "${port}" (${p})`);
        });
        try {
          result[port] = JSON.parse(text) as JsonValue;
        } catch (e) {
          throw new KoanError("OUTPUT_INVALID", `output "${port}" (${p}) is not JSON: ${(e as Error).message}`);
        }
      } else result[port] = p;
    }
    return result;
  };
  const definition = makeDefinition(
    { ...options, run: run as never, isolation: "inline" } as never,
    { source: canonicalJson(identity), meta: { command: identity.command, script: identity.script, scriptHash } as { [k: string]: JsonValue } },
  );
  return callable<I, O, S>(definition);
}
