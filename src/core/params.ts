/**
 * Parameter resolution: defaults from each step's schema, values bound in the pipeline, a config file, then
 * `--param step.key=value` overrides, in that order. Every value is validated by the step's schema; unknown steps
 * and keys are errors, never silently ignored.
 * @module
 */
import { parse as parseYaml } from "yaml";
import { KoanError } from "./errors.js";
import { canonicalJson, jsonProblem, type JsonValue } from "./hash.js";
import type { Pipeline } from "./pipeline.js";
import { issuePath } from "./standard-schema.js";

/** Overrides per step name: a nested object of parameter values. */
export type ParamOverrides = { [step: string]: { [key: string]: unknown } };

/** Parse `step.key.sub=value` strings; values are read as YAML scalars (`5` is a number, `true` a boolean). */
export function parseParamFlags(flags: readonly string[]): { overrides: ParamOverrides; raw: Map<string, string> } {
  const overrides: ParamOverrides = {};
  const raw = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    const path = eq > 0 ? flag.slice(0, eq).split(".") : [];
    if (eq <= 0 || path.length < 2 || path.some((p) => p === "")) {
      throw new KoanError("USAGE", `--param "${flag}" is not of the form step.name=value`, { hint: "e.g. --param train.epochs=5" });
    }
    const text = flag.slice(eq + 1);
    let value: unknown;
    try {
      value = parseYaml(text);
    } catch {
      value = text;
    }
    setPath(overrides, path, value ?? text);
    raw.set(path.join("."), text);
  }
  return { overrides, raw };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let obj = target;
  for (const key of path.slice(0, -1)) {
    const next = obj[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) obj[key] = {};
    obj = obj[key] as Record<string, unknown>;
  }
  obj[path[path.length - 1] as string] = value;
}

function getPath(target: unknown, path: readonly string[]): { found: boolean } {
  let obj = target;
  for (const key of path) {
    if (typeof obj !== "object" || obj === null || !(key in obj)) return { found: false };
    obj = (obj as Record<string, unknown>)[key];
  }
  return { found: true };
}

function leafPaths(obj: Record<string, unknown>, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0) out.push(...leafPaths(v as Record<string, unknown>, [...prefix, k]));
    else out.push([...prefix, k]);
  }
  return out;
}

/** Deep-merge plain objects (right wins); arrays and scalars are replaced. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      typeof v === "object" && v !== null && !Array.isArray(v) && typeof prev === "object" && prev !== null && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * Resolve and validate every node's parameters.
 * @param raw the original text of `--param` values, used when a YAML reading of a value fails validation but the
 *   text itself passes (so `--param load.tag=1e3` still works for a string parameter).
 * @returns validated parameters per node (JSON values).
 */
export async function resolveParams(
  p: Pipeline,
  overrides: ParamOverrides = {},
  raw: ReadonlyMap<string, string> = new Map(),
): Promise<Record<string, { [key: string]: JsonValue }>> {
  for (const stepName of Object.keys(overrides)) {
    if (!p.node(stepName)) {
      throw new KoanError("PARAM_UNKNOWN", `pipeline "${p.name}" has no step "${stepName}"`, { hint: `steps: ${p.order.join(", ")}` });
    }
  }
  const out: Record<string, { [key: string]: JsonValue }> = {};
  for (const name of p.order) {
    const node = p.node(name);
    if (!node) continue;
    const given = overrides[name] ?? {};
    const schema = node.step.params;
    if (!schema) {
      const keys = [...Object.keys(node.params), ...Object.keys(given)];
      if (keys.length) throw new KoanError("PARAM_UNKNOWN", `step "${name}" takes no parameters, but "${keys[0]}" was given`);
      out[name] = {};
      continue;
    }
    let merged = deepMerge(node.params as Record<string, unknown>, given);
    let result = await schema["~standard"].validate(merged);
    if (result.issues) {
      // Retry values that came from --param as plain text where the YAML reading was rejected.
      let changed = false;
      for (const issue of result.issues) {
        const key = `${name}.${issuePath(issue).join(".")}`;
        const text = raw.get(key);
        if (text !== undefined) {
          merged = deepMerge(merged, {});
          setPath(merged, issuePath(issue).map(String), text);
          changed = true;
        }
      }
      if (changed) result = await schema["~standard"].validate(merged);
    }
    if (result.issues) {
      const first = result.issues[0];
      const path = [name, ...(first ? issuePath(first) : [])].join(".");
      throw new KoanError("PARAM_INVALID", `parameter ${path}: ${first?.message ?? "invalid"}`, {
        details: { issues: result.issues.map((i) => ({ path: [name, ...issuePath(i)], message: i.message })) },
      });
    }
    for (const leaf of leafPaths(given)) {
      if (!getPath(result.value, leaf).found) {
        throw new KoanError("PARAM_UNKNOWN", `step "${name}" has no parameter "${leaf.join(".")}"`);
      }
    }
    const problem = jsonProblem(result.value);
    if (problem) throw new KoanError("PARAM_INVALID", `parameters of step "${name}" must be JSON values: ${problem}`);
    out[name] = JSON.parse(canonicalJson(result.value)) as { [key: string]: JsonValue };
  }
  return out;
}
