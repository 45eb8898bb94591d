/**
 * From what a user names on the command line (a run id, an artifact id, `run/step/output`, or a folder holding
 * an exported bundle) to the bundle artifact and to a servable (through {@link servableFromBundle}).
 * @module
 */
import { cp, readdir, stat, writeFile, mkdir } from "node:fs/promises";
import { basename, join, relative, resolve } from "node:path";
import type { Koan } from "../client/client.js";
import { KoanError } from "../core/errors.js";
import type { ArtifactRecord } from "../stores/metadata/types.js";
import { servableFromBundle, type ServableModel } from "./model.js";
import type { BundleRef } from "./deploy/types.js";

/** Artifact kinds taken as a run's serving bundle (the `bundle` type of the bundle step). */
export const BUNDLE_KINDS = ["bundle"];
const BUNDLE_PORTS = ["bundle", "serving_bundle", "model"];

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/** The bundle artifact named by `ref`: an artifact id or prefix, `run/step/output`, or a run (its bundle output). */
export async function resolveBundleArtifact(koan: Koan, ref: string): Promise<ArtifactRecord> {
  if (ref.split("/").length === 3 || !ref.startsWith("r-")) return koan.resolveArtifact(ref);
  const { run, steps } = await koan.runDetails(ref);
  const found: { ref: string; artifact: ArtifactRecord }[] = [];
  for (const s of steps) {
    for (const [port, id] of Object.entries(s.outputs)) {
      const a = await koan.metadata.getArtifact(id);
      if (a && (BUNDLE_KINDS.includes(a.type) || BUNDLE_PORTS.includes(port))) found.push({ ref: `${run.id}/${s.step}/${port}`, artifact: a });
    }
  }
  const byKind = found.filter((f) => BUNDLE_KINDS.includes(f.artifact.type));
  const pick = byKind.length ? byKind : found;
  if (pick.length === 1) return (pick[0] as { artifact: ArtifactRecord }).artifact;
  if (pick.length === 0) throw new KoanError("NOT_FOUND", `run ${run.id} has no serving bundle output`, { hint: "name the bundle as run/step/output" });
  throw new KoanError("USAGE", `run ${run.id} has several bundle-like outputs: ${pick.map((p) => p.ref).join(", ")}`, { hint: "name one as run/step/output" });
}

/** The local folder behind a loaded value: a folder path (`dir` artifacts) or a folder-backed value (bundle, model, dataset). */
async function folderOf(value: unknown, type: string): Promise<string | undefined> {
  if (typeof value === "string") return type !== "file" && (await isDir(value)) ? value : undefined;
  const folder = typeof value === "object" && value !== null ? (value as { folder?: unknown }).folder : undefined;
  return typeof folder === "string" && (await isDir(folder)) ? folder : undefined;
}

/**
 * Copy an artifact's content into a folder: a folder-backed value's files (a `dir`, a serving bundle, a model, a
 * dataset), a file, bytes as `data.bin`, anything else as `value.json`. Returns the files written.
 */
export async function exportArtifact(koan: Koan, a: ArtifactRecord, dest: string): Promise<string[]> {
  const value = await koan.load(a);
  await mkdir(dest, { recursive: true });
  const folder = await folderOf(value, a.type);
  if (folder) {
    await cp(folder, dest, { recursive: true, dereference: true });
    const entries = await readdir(dest, { recursive: true, withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => relative(dest, join(e.parentPath, e.name)));
  }
  if (typeof value === "string" && a.type === "file") {
    await cp(value, join(dest, basename(value)));
    return [basename(value)];
  }
  if (value instanceof Uint8Array) {
    await writeFile(join(dest, "data.bin"), value);
    return ["data.bin"];
  }
  await writeFile(join(dest, "value.json"), `${JSON.stringify(value, null, 2)}\n`);
  return ["value.json"];
}

/** A {@link BundleRef} for `ref` (an exported bundle folder, or a bundle artifact). */
export async function bundleRef(koan: Koan, ref: string, uri?: string): Promise<{ bundle: BundleRef; artifact: ArtifactRecord | undefined }> {
  if (await isDir(ref)) {
    const dir = resolve(ref);
    return { artifact: undefined, bundle: { ref, artifactId: null, uri: uri ?? null, exportTo: async (dest) => void (await cp(dir, dest, { recursive: true, dereference: true })) } };
  }
  const artifact = await resolveBundleArtifact(koan, ref);
  const remote = /^(gs|s3|https?|az|abfss?|pvc|hf):\/\//.test(artifact.uri) ? artifact.uri : null;
  return { artifact, bundle: { ref: artifact.id, artifactId: artifact.id, uri: uri ?? remote, exportTo: async (dest) => void (await exportArtifact(koan, artifact, dest)) } };
}

/** An API model name from a pipeline name (letters, digits, `_`, `.`, `-`). */
function modelName(pipeline: string): string {
  return pipeline.replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^-+|-+$/g, "") || "model";
}

/**
 * The servable of `ref` (a bundle folder, or a bundle artifact loaded through its materializer). A bundle
 * artifact is served under its pipeline's name unless `name` is given.
 */
export async function loadServable(koan: Koan | undefined, ref: string, options: { name?: string } = {}): Promise<ServableModel> {
  if (await isDir(ref)) return servableFromBundle(resolve(ref), options);
  if (!koan) throw new KoanError("PROJECT_NOT_FOUND", `"${ref}" is not a folder, and there is no Koan project to find it in`);
  const artifact = await resolveBundleArtifact(koan, ref);
  if (artifact.type !== "bundle") {
    throw new KoanError("USAGE", `artifact ${artifact.id} is a ${artifact.type} artifact, not a serving bundle`, { hint: "serve the bundle step's output (<run>/bundle/bundle), or a run that has one" });
  }
  let name = options.name;
  if (!name) {
    const producer = await koan.metadata.getStepRun(artifact.producerStepRun);
    const run = producer ? await koan.metadata.getRun(producer.runId) : undefined;
    name = run ? modelName(run.pipeline) : undefined;
  }
  return servableFromBundle(await koan.load(artifact), name ? { name } : {});
}

/** Whether a folder is empty or missing. */
export async function isEmptyDir(path: string): Promise<boolean> {
  const entries = await readdir(path).catch(() => undefined);
  return !entries || entries.length === 0;
}
