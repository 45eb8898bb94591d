/**
 * Validation against the Argo Workflows JSON Schema in ../shared/specs/argo (which also carries the Kubernetes
 * core/v1 definitions: Container, ResourceRequirements, Toleration, ...): ajv's errors, plus every field the
 * schema does not know (the API server would drop it).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { SHARED } from "../helpers.js";

export const ARGO_SCHEMA = join(SHARED, "specs", "argo", "jsonschema_schema.json");
export const HAS_ARGO_SCHEMA = existsSync(ARGO_SCHEMA);
/** The `skip` option of tests that need the schema. */
export const SCHEMA_SKIP: string | false = HAS_ARGO_SCHEMA ? false : "../shared/specs/argo is absent";
/** The schema's definition of a Workflow. */
export const WORKFLOW_DEF = "io.argoproj.workflow.v1alpha1.Workflow";

type Schema = { $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; oneOf?: Schema[]; anyOf?: Schema[] };
let loaded: { ajv: Ajv2020; defs: Record<string, Schema> } | undefined;

function load(): { ajv: Ajv2020; defs: Record<string, Schema> } {
  if (loaded) return loaded;
  const schema = JSON.parse(readFileSync(ARGO_SCHEMA, "utf8")) as { definitions: Record<string, Schema> };
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(schema, "argo");
  return (loaded = { ajv, defs: schema.definitions });
}

/** Errors of `value` against definition `def` (e.g. `io.argoproj.workflow.v1alpha1.Workflow`); empty when valid. */
export function validateArgo(def: string, value: unknown): string[] {
  const { ajv, defs } = load();
  const check = ajv.getSchema(`argo#/definitions/${def}`);
  if (!check) throw new Error(`no definition ${def}`);
  const errors = check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
  const resolve = (s: Schema | undefined): Schema | undefined => {
    let cur = s;
    for (let i = 0; cur?.$ref && i < 20; i++) cur = defs[cur.$ref.replace("#/definitions/", "")];
    return cur;
  };
  const walk = (s: Schema | undefined, v: unknown, path: string): void => {
    const r = resolve(s);
    if (!r) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(r.items, x, `${path}/${i}`));
    else if (v && typeof v === "object" && r.properties) {
      for (const [k, x] of Object.entries(v)) {
        const sub = r.properties[k] ?? (typeof r.additionalProperties === "object" ? r.additionalProperties : undefined);
        if (!sub) errors.push(`${path}/${k} is not in the schema`);
        else walk(sub, x, `${path}/${k}`);
      }
    } else if (v && typeof v === "object" && typeof r.additionalProperties === "object") {
      for (const [k, x] of Object.entries(v)) walk(r.additionalProperties, x, `${path}/${k}`);
    }
  };
  walk({ $ref: `#/definitions/${def}` }, value, "");
  return errors;
}
