/**
 * Artifact types: what flows along a pipeline's edges. Each type names its kind (checked when steps are wired)
 * and the materializer that stores its values.
 *
 * @example
 * ```ts
 * import { types as t } from "koan";
 * import { z } from "zod";
 * const rows = t.json(z.array(z.object({ x: z.number() })));   // validated at run time, typed at compile time
 * const report = t.file();                                     // a file the step wrote (a path)
 * ```
 * @module
 */
import { stat } from "node:fs/promises";
import { jsonProblem } from "./hash.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import { issuePath } from "./standard-schema.js";
import type { Materializer } from "../materializers/types.js";
import { jsonMaterializer } from "../materializers/json.js";
import { bytesMaterializer } from "../materializers/bytes.js";
import { fileMaterializer } from "../materializers/file.js";
import { dirMaterializer } from "../materializers/dir.js";

declare const valueType: unique symbol;

/** The type of an artifact flowing between steps; `T` is the value step code sees. */
export interface ArtifactType<T = unknown, K extends string = string> {
  /** Kind name, compared when steps are wired (`json`, `bytes`, `file`, `dir`, `dataset`, ...). */
  readonly kind: K;
  /** The materializer that stores values of this type. */
  readonly materializer: Materializer<unknown>;
  /** Check a value a step returned; resolves to a problem description or undefined. */
  check(value: unknown): Promise<string | undefined>;
  /** Phantom: carries `T` for the compiler only. */
  readonly [valueType]?: T;
}

/** The value type of an artifact type. */
export type ValueOf<A> = A extends ArtifactType<infer T, string> ? T : never;

/** Make an artifact type (for library authors adding kinds such as datasets or models). */
export function defineArtifactType<T, K extends string>(
  kind: K,
  materializer: Materializer<T>,
  check: (value: unknown) => Promise<string | undefined> | string | undefined,
): ArtifactType<T, K> {
  return { kind, materializer: materializer as Materializer<unknown>, check: async (v) => check(v) };
}

/** A JSON value, optionally validated by a Standard Schema (zod, valibot, ...) whenever a step outputs it. */
function json<T = unknown>(schema?: StandardSchemaV1<unknown, T>): ArtifactType<T, "json"> {
  return defineArtifactType<T, "json">("json", jsonMaterializer as Materializer<T>, async (value) => {
    const p = jsonProblem(value);
    if (p) return `not JSON-serialisable: ${p}`;
    if (!schema) return undefined;
    const r = await schema["~standard"].validate(value);
    if (!r.issues) return undefined;
    return r.issues.map((i) => `${["$", ...issuePath(i)].join(".")}: ${i.message}`).join("; ");
  });
}

/** Raw bytes (`Uint8Array`). */
function bytes(): ArtifactType<Uint8Array, "bytes"> {
  return defineArtifactType("bytes", bytesMaterializer, (v) => (v instanceof Uint8Array ? undefined : `expected a Uint8Array, got ${describe(v)}`));
}

/** A single file: steps return the path of a file they wrote; consumers receive a read-only local path. */
function file(): ArtifactType<string, "file"> {
  return defineArtifactType("file", fileMaterializer, async (v) => {
    if (typeof v !== "string") return `expected a file path (string), got ${describe(v)}`;
    const s = await stat(v).catch(() => undefined);
    return s?.isFile() ? undefined : `"${v}" is not an existing file`;
  });
}

/** A folder: steps return the path of a folder they filled; consumers receive a read-only local copy. */
function dir(): ArtifactType<string, "dir"> {
  return defineArtifactType("dir", dirMaterializer, async (v) => {
    if (typeof v !== "string") return `expected a folder path (string), got ${describe(v)}`;
    const s = await stat(v).catch(() => undefined);
    return s?.isDirectory() ? undefined : `"${v}" is not an existing folder`;
  });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? `a ${(v as object).constructor?.name ?? "object"}` : `a ${typeof v}`;
}

/** The built-in artifact types. */
export const types = { json, bytes, file, dir } as const;
