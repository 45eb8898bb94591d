/** Validation of manifests against the CRD OpenAPI schemas in ../shared/specs/crds (ajv). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { Ajv } from "ajv";
import { SHARED } from "../helpers.js";

export const CRDS = join(SHARED, "specs", "crds");
type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean; "x-kubernetes-preserve-unknown-fields"?: boolean };

const schemas = new Map<string, Schema>();

/**
 * The part of a schema that can apply to `values`: `properties` cut down to the keys present (recursively).
 * Validating a value against it gives the same result as against the whole schema, and compiling it takes
 * milliseconds instead of seconds (the CRD schemas embed a full PodSpec per predictor kind).
 */
function prune(schema: Schema, values: readonly unknown[]): Schema {
  const s = { ...schema } as Schema & Record<string, unknown>;
  const objects = values.filter((v): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v));
  const arrays = values.filter(Array.isArray);
  if (schema.properties) {
    const props: Record<string, Schema> = {};
    for (const [k, sub] of Object.entries(schema.properties)) {
      const present = objects.filter((o) => k in o).map((o) => o[k]);
      if (present.length) props[k] = prune(sub, present);
    }
    s.properties = props;
  }
  if (typeof schema.additionalProperties === "object") {
    const extra = objects.flatMap((o) => Object.entries(o).filter(([k]) => !schema.properties?.[k]).map(([, v]) => v));
    s.additionalProperties = prune(schema.additionalProperties, extra);
  }
  if (schema.items) s.items = prune(schema.items, arrays.flat());
  for (const key of ["anyOf", "allOf", "oneOf"]) {
    const list = s[key];
    if (Array.isArray(list)) s[key] = list.map((b: Schema) => prune(b, values));
  }
  return s;
}

/** The openAPIV3Schema of a CRD file's version (parsed once). */
export function crdSchema(file: string, version: string): Schema {
  const key = `${file}#${version}`;
  const known = schemas.get(key);
  if (known) return known;
  for (const doc of parseAllDocuments(readFileSync(join(CRDS, file), "utf8"))) {
    const crd = doc.toJSON() as { spec?: { versions?: { name: string; schema: { openAPIV3Schema: Schema } }[] } } | null;
    const v = crd?.spec?.versions?.find((x) => x.name === version);
    if (v) {
      schemas.set(key, v.schema.openAPIV3Schema);
      return v.schema.openAPIV3Schema;
    }
  }
  throw new Error(`${file} has no version ${version}`);
}

/** Errors of `value` against a CRD schema: ajv's, plus every field the API server would prune as unknown. */
export function validate(schema: Schema, value: unknown): string[] {
  const check = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(prune(schema, [value]));
  const errors = check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);
  const walk = (s: Schema | undefined, v: unknown, path: string): void => {
    if (!s || s["x-kubernetes-preserve-unknown-fields"]) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(s.items, x, `${path}/${i}`));
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        const sub = s.properties?.[k] ?? (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
        if (!sub && s.properties && path !== "/metadata") errors.push(`${path}/${k} is not in the schema (the API server would drop it)`);
        walk(sub, x, `${path}/${k}`);
      }
    }
  };
  walk(schema, value, "");
  return errors;
}
