/**
 * `koan-bundle.json`: the manifest of a serving bundle folder. A bundle is one folder holding the fitted transform
 * (`transform.json`), the trained model (`model/`, a Koan model folder) and this manifest: the signature (raw
 * input features with types, named outputs), the label and the task. Versioned: a newer bundle format is refused
 * with a clear message, never misread.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Signature } from "../serving/model.js";
import type { LabelSpec } from "../train/feature-spec.js";

/** The manifest's file name inside a bundle folder. */
export const BUNDLE_MANIFEST = "koan-bundle.json";
/** The transform's file name inside a bundle folder. */
export const BUNDLE_TRANSFORM = "transform.json";
/** The model folder inside a bundle folder. */
export const BUNDLE_MODEL_DIR = "model";
/** Format name written in every manifest. */
export const BUNDLE_FORMAT = "koan.bundle";
/** Current format version. */
export const BUNDLE_FORMAT_VERSION = 1;

/** Contents of `koan-bundle.json` (version 1). */
export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: number;
  /** Raw input features (what a request carries) and the named outputs. */
  readonly signature: Signature;
  /** The label the model predicts (its kind and class names). */
  readonly label: LabelSpec;
  /** Relative paths of the parts. */
  readonly transform: string;
  readonly model: string;
  /** SHA-256 of the transform's canonical JSON (ties the bundle to the transform it was made from). */
  readonly transformHash: string;
  /** The model's framework (`tfjs-layers` or `plain`). */
  readonly framework: string;
  readonly koanVersion: string;
}

/** Parse and check a manifest's text. @throws KoanError `FORMAT_INVALID` naming what is wrong. */
export function parseBundleManifest(text: string, where: string): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new KoanError("FORMAT_INVALID", `${where}: not JSON: ${(e as Error).message}`);
  }
  const m = raw as Partial<BundleManifest> | null;
  if (typeof m !== "object" || m === null || m.format !== BUNDLE_FORMAT) throw new KoanError("FORMAT_INVALID", `${where}: not a Koan serving bundle (format is not "${BUNDLE_FORMAT}")`);
  if (typeof m.version !== "number") throw new KoanError("FORMAT_INVALID", `${where}: version is missing`);
  if (m.version > BUNDLE_FORMAT_VERSION) {
    throw new KoanError("FORMAT_INVALID", `${where}: bundle format version ${m.version} is newer than this Koan reads (${BUNDLE_FORMAT_VERSION})`, { hint: "upgrade Koan" });
  }
  if (!m.signature || !Array.isArray(m.signature.inputs) || !Array.isArray(m.signature.outputs)) throw new KoanError("FORMAT_INVALID", `${where}: signature must hold inputs and outputs`);
  if (!m.label || typeof m.label.name !== "string") throw new KoanError("FORMAT_INVALID", `${where}: label is missing`);
  for (const key of ["transform", "model"] as const) {
    const p = m[key];
    if (typeof p !== "string" || p.startsWith("/") || p.split(/[\\/]/).includes("..")) throw new KoanError("FORMAT_INVALID", `${where}: ${key} must be a relative path inside the bundle`);
  }
  return m as BundleManifest;
}
