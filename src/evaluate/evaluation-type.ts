/**
 * The `evaluation` artifact type and its materializer `koan.evaluation` (v1): the {@link Evaluation} as canonical
 * JSON, with the blessing and the headline metrics (overall, first split) in the artifact's metadata, so
 * listings and baseline lookups need not load it.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { canonicalJson, jsonProblem, type JsonValue } from "../core/hash.js";
import { defineArtifactType, type ArtifactType } from "../core/types.js";
import { registerMaterializer } from "../materializers/registry.js";
import type { Materializer } from "../materializers/types.js";
import { EVALUATION_VERSION, type Evaluation } from "./types.js";

/** True for objects shaped like an {@link Evaluation}. */
export function isEvaluation(v: unknown): v is Evaluation {
  const e = v as Evaluation;
  return typeof e === "object" && e !== null && e.format === "koan.evaluation" && Array.isArray(e.splits) && typeof e.blessing?.blessed === "boolean";
}

/** Parse stored evaluation JSON (refusing newer format versions). */
export function parseEvaluation(text: string, where: string): Evaluation {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new KoanError("ARTIFACT_CORRUPT", `${where}: not JSON: ${(e as Error).message}`);
  }
  if (!isEvaluation(v)) throw new KoanError("ARTIFACT_CORRUPT", `${where}: not a Koan evaluation`);
  if (v.version > EVALUATION_VERSION) throw new KoanError("FORMAT_INVALID", `${where}: evaluation format ${v.version} is newer than this Koan reads (${EVALUATION_VERSION})`, { hint: "upgrade Koan" });
  return v;
}

/** Stores {@link Evaluation}s. */
export const evaluationMaterializer: Materializer<Evaluation> = {
  name: "koan.evaluation",
  version: 1,
  async save(value, out) {
    const root = await out.putBytes(Buffer.from(canonicalJson(value), "utf8"));
    const first = value.splits[0];
    return {
      root,
      blobs: [root],
      meta: {
        blessed: value.blessing.blessed,
        task: value.task,
        label: value.label,
        splits: value.splits.map((s) => s.split),
        ...(first ? { split: first.split, metrics: first.overall.metrics as { [k: string]: JsonValue } } : {}),
      },
    };
  },
  async load(root, _version, input) {
    return parseEvaluation(Buffer.from(await input.bytes(root)).toString("utf8"), `evaluation ${root}`);
  },
};

registerMaterializer(evaluationMaterializer as Materializer<unknown>);

/** An evaluation (metrics per split and slice, thresholds, blessing). */
export function evaluationType(): ArtifactType<Evaluation, "evaluation"> {
  return defineArtifactType("evaluation", evaluationMaterializer, (v) => (isEvaluation(v) ? jsonProblem(v) : "expected an Evaluation (from evaluateModel)"));
}
