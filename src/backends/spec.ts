/**
 * Parsing `--step-backend` arguments of `koan stack register`:
 *
 * | argument | backend |
 * |---|---|
 * | `gpu=vertex?region=us-central1&machineType=n1-standard-8&acceleratorType=NVIDIA_TESLA_T4&acceleratorCount=1` | `gpu`, flavor `vertex`, that config |
 * | `big=kubernetes?namespace=ml&nodeSelector.cloud.google.com/gke-accelerator=nvidia-tesla-t4` | a dotted key fills a map field |
 * | `gpu=@backend.yaml` | `{ flavor, config }` read from a YAML or JSON file (tolerations and other lists) |
 *
 * Query values stay strings; the flavor's config schema converts numbers and checks every field when the stack
 * is registered.
 * @module
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { KoanError } from "../core/errors.js";
import type { JsonValue } from "../core/hash.js";
import type { ComponentSpec } from "../stack/uri.js";

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const fileSchema = z.object({ flavor: z.string().min(1), config: z.record(z.string(), z.any()).default({}) }).strict();

function bad(arg: string, why: string, hint?: string): KoanError {
  return new KoanError("USAGE", `--step-backend "${arg}": ${why}`, { hint: hint ?? "use name=flavor?key=value&... or name=@file.yaml (see docs/step-backends.md)" });
}

/** Parse one `--step-backend` argument into its name and component. */
export function parseStepBackendArg(arg: string, cwd: string = process.cwd()): { name: string; spec: ComponentSpec } {
  const eq = arg.indexOf("=");
  const name = arg.slice(0, eq).trim();
  const rest = arg.slice(eq + 1).trim();
  if (eq <= 0 || !rest) throw bad(arg, "is not name=flavor");
  if (!NAME.test(name)) throw bad(arg, `"${name}" is not a valid backend name`, "use letters, digits, _ and -, starting with a letter or _");
  if (rest.startsWith("@")) {
    const file = resolve(cwd, rest.slice(1));
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, "utf8"));
    } catch (e) {
      throw bad(arg, `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const r = fileSchema.safeParse(raw);
    if (!r.success) throw bad(arg, `${file}: ${r.error.issues[0]?.path.join(".") || "(root)"}: ${r.error.issues[0]?.message}`, "the file holds { flavor: <name>, config: { ... } }");
    return { name, spec: { flavor: r.data.flavor, config: r.data.config as { [key: string]: JsonValue } } };
  }
  return { name, spec: flavorQuery(arg, rest) };
}

/** `flavor?key=value&map.key=value` as a component (`arg` names the whole argument in errors). */
function flavorQuery(arg: string, rest: string): ComponentSpec {
  const q = rest.indexOf("?");
  const flavor = q < 0 ? rest : rest.slice(0, q);
  if (!NAME.test(flavor)) throw bad(arg, `"${flavor}" is not a flavor name`);
  const config: { [key: string]: JsonValue } = {};
  if (q >= 0) {
    for (const [key, value] of new URLSearchParams(rest.slice(q + 1))) {
      const dot = key.indexOf(".");
      if (dot > 0) {
        const field = key.slice(0, dot);
        const sub = key.slice(dot + 1);
        const map = (config[field] ??= {}) as { [key: string]: JsonValue };
        if (typeof map !== "object" || map === null || Array.isArray(map)) throw bad(arg, `"${field}" is given both as a value and as a map`);
        if (sub in map) throw bad(arg, `"${key}" is given twice`);
        map[sub] = value;
      } else {
        if (key in config) throw bad(arg, `"${key}" is given twice`);
        config[key] = value;
      }
    }
  }
  return { flavor, config };
}

/**
 * Parse an orchestrator given as `flavor` or `flavor?key=value&...` (e.g. `kubernetes?namespace=ml&image=...`)
 * for `koan stack register --orchestrator`.
 */
export function parseOrchestratorArg(text: string): ComponentSpec {
  return flavorQuery(`--orchestrator ${text}`, text.trim());
}

/** Parse every `--step-backend` argument (a name given twice is refused). */
export function parseStepBackendArgs(args: readonly string[], cwd: string = process.cwd()): Record<string, ComponentSpec> {
  const out: Record<string, ComponentSpec> = {};
  for (const arg of args) {
    const { name, spec } = parseStepBackendArg(arg, cwd);
    if (name in out) throw bad(arg, `backend "${name}" is given twice`);
    out[name] = spec;
  }
  return out;
}
