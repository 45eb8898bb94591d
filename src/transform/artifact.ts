/**
 * The `transform` artifact type: a fitted transform stored by materializer `koan.transform` (v1) as canonical
 * JSON (so equal transforms have equal content hashes), checked when loaded. Also plain-file helpers for
 * embedding a transform elsewhere (the serving bundle).
 *
 * @example
 * ```ts
 * const t = (await koan.load(run.outputs.preprocess?.transform as never)) as FittedTransform;
 * await saveTransform(t, "model/transform.json");
 * const same = await loadTransform("model/transform.json");
 * ```
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { KoanError } from "../core/errors.js";
import { canonicalJson } from "../core/hash.js";
import { defineArtifactType, type ArtifactType } from "../core/types.js";
import { registerMaterializer } from "../materializers/registry.js";
import type { Materializer } from "../materializers/types.js";
import { TRANSFORM_FORMAT, TRANSFORM_FORMAT_VERSION, type FittedTransform } from "./format.js";

/** Why a value is not a fitted transform, or undefined. */
export function transformProblem(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return "not an object";
  const t = value as Partial<FittedTransform>;
  if (t.format !== TRANSFORM_FORMAT) return `format is not "${TRANSFORM_FORMAT}"`;
  if (typeof t.version !== "number") return "version is missing";
  if (t.version > TRANSFORM_FORMAT_VERSION) return `format version ${t.version} is newer than this Koan reads (${TRANSFORM_FORMAT_VERSION})`;
  for (const key of ["inputs", "features", "crosses", "custom"] as const) if (!Array.isArray(t[key])) return `${key} must be an array`;
  if (typeof t.trainSplit !== "string") return "trainSplit is missing";
  if (typeof t.raw !== "object" || t.raw === null || !Array.isArray(t.raw.features)) return "raw must be { prefix, features }";
  if (typeof t.analyzers !== "object" || t.analyzers === null) return "analyzers are missing";
  for (const f of t.features ?? []) {
    if (typeof f?.name !== "string" || typeof f.source !== "string" || !Array.isArray(f.ops) || !Array.isArray(f.shape)) return `feature ${JSON.stringify(f?.name)} is malformed`;
  }
  return undefined;
}

/**
 * Parse a fitted transform from JSON text (or check a parsed value).
 * @throws KoanError `FORMAT_INVALID` naming what is wrong.
 */
export function parseTransform(text: string | unknown, where = "transform"): FittedTransform {
  let value: unknown = text;
  if (typeof text === "string") {
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new KoanError("FORMAT_INVALID", `${where}: not JSON: ${(e as Error).message}`);
    }
  }
  const problem = transformProblem(value);
  if (problem) throw new KoanError("FORMAT_INVALID", `${where}: not a Koan transform: ${problem}`, problem.includes("newer") ? { hint: "upgrade Koan" } : {});
  return value as FittedTransform;
}

/** Canonical JSON text of a transform (sorted keys). */
export function serializeTransform(transform: FittedTransform): string {
  return canonicalJson(transform);
}

/** Write a transform to a JSON file. */
export async function saveTransform(transform: FittedTransform, path: string): Promise<void> {
  await writeFile(path, serializeTransform(transform));
}

/** Read a transform from a JSON file written by {@link saveTransform} (or taken from an artifact). */
export async function loadTransform(path: string): Promise<FittedTransform> {
  const text = await readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new KoanError("NOT_FOUND", `cannot read transform ${path}: ${e.code ?? e.message}`);
  });
  return parseTransform(text, path);
}

/** Materializer `koan.transform` v1: canonical JSON bytes. */
export const transformMaterializer: Materializer<FittedTransform> = {
  name: "koan.transform",
  version: 1,
  async save(transform, out) {
    const root = await out.putBytes(Buffer.from(serializeTransform(transform), "utf8"));
    return {
      root,
      blobs: [root],
      meta: {
        features: transform.features.length + transform.crosses.length + transform.custom.length,
        label: transform.label?.name ?? null,
        trainSplit: transform.trainSplit,
        trainRows: transform.trainRows,
      },
    };
  },
  async load(root, _version, input) {
    return parseTransform(Buffer.from(await input.bytes(root)).toString("utf8"), `stored transform ${root}`);
  },
};

registerMaterializer(transformMaterializer as Materializer<unknown>);

/** The `transform` artifact type (a fitted transform; produced by `preprocess`). */
export function transformType(): ArtifactType<FittedTransform, "transform"> {
  return defineArtifactType("transform", transformMaterializer, (v) => {
    const p = transformProblem(v);
    return p ? `expected a fitted transform: ${p}` : undefined;
  });
}
