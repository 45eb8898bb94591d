/**
 * Writing a serving bundle folder from a fitted transform and a model trained on its output. The model's inputs
 * must be the transform's outputs, in order and width, and its label the transform's label: a model trained on
 * other features is refused, naming the first difference.
 * @module
 */
import { cp, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { KoanError } from "../core/errors.js";
import { sha256 } from "../core/hash.js";
import { inputWidth } from "../train/feature-spec.js";
import type { ModelArtifact } from "../train/model-artifact.js";
import { serializeTransform } from "../transform/artifact.js";
import { featureSpec } from "../transform/feature-spec.js";
import type { FittedTransform } from "../transform/format.js";
import { KOAN_VERSION } from "../version.js";
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, BUNDLE_MANIFEST, BUNDLE_MODEL_DIR, BUNDLE_TRANSFORM, type BundleManifest } from "./format.js";
import { bundleSignature } from "./signature.js";

/** Why a model cannot be served behind a transform, or undefined when it can. */
export function bundleMismatch(transform: FittedTransform, model: ModelArtifact): string | undefined {
  const t = featureSpec(transform);
  const m = model.spec;
  if (m.inputs.length !== t.inputs.length) return `the model has ${m.inputs.length} inputs, the transform gives ${t.inputs.length}`;
  for (let i = 0; i < t.inputs.length; i++) {
    const a = t.inputs[i] as (typeof t.inputs)[number];
    const b = m.inputs[i] as (typeof m.inputs)[number];
    if (a.name !== b.name) return `input ${i} of the model is "${b.name}", the transform's is "${a.name}"`;
    if (a.width !== inputWidth(b)) return `input "${a.name}" has width ${inputWidth(b)} in the model, ${a.width} in the transform`;
  }
  if (!t.label) return "the transform has no label";
  if (t.label.name !== m.label.name) return `the model predicts "${m.label.name}", the transform's label is "${t.label.name}"`;
  const tc = t.label.classes ?? [];
  const mc = m.label.classes ?? [];
  if (m.label.kind !== "regression" && tc.length && mc.length && tc.join("\0") !== mc.join("\0")) return `the model's classes [${mc.join(", ")}] differ from the transform's [${tc.join(", ")}]`;
  return undefined;
}

/**
 * Write a bundle folder (`koan-bundle.json`, `transform.json`, `model/`).
 * @throws KoanError `DATA_INVALID` when the model was not trained on this transform's outputs.
 */
export async function writeBundle(folder: string, parts: { transform: FittedTransform; model: ModelArtifact }): Promise<BundleManifest> {
  const problem = bundleMismatch(parts.transform, parts.model);
  if (problem) {
    throw new KoanError("DATA_INVALID", `cannot bundle this model with this transform: ${problem}`, { hint: "train the model on the transform's output dataset (with specFromTransform)" });
  }
  const transformText = serializeTransform(parts.transform);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_FORMAT_VERSION,
    signature: bundleSignature(parts.transform, parts.model.spec.label),
    label: parts.model.spec.label,
    transform: BUNDLE_TRANSFORM,
    model: BUNDLE_MODEL_DIR,
    transformHash: sha256(transformText),
    framework: parts.model.info.framework,
    koanVersion: KOAN_VERSION,
  };
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, BUNDLE_TRANSFORM), transformText);
  await cp(parts.model.folder, join(folder, BUNDLE_MODEL_DIR), { recursive: true, dereference: true });
  await writeFile(join(folder, BUNDLE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
