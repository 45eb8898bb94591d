/**
 * `loadBundle(ref)`: one call from a reference to a serving bundle that predicts from raw rows. The reference is
 * any of:
 * - a bundle folder (or a `file://` URL of one), e.g. one written by `koan artifacts export`;
 * - the URI of a bundle artifact as the metadata store records it (`<artifact store URI>/sha256/<hash>`): the
 *   blobs are read from that store directly (for a remote store, pass `store` with its full URI when it needs
 *   options such as an endpoint);
 * - a reference inside a Koan project: an artifact id, `run/step/output`, or a run id (its bundle output).
 *
 * @example
 * ```ts
 * import { loadBundle } from "koan";
 * const bundle = await loadBundle("r-01hx…/bundle/bundle");
 * await bundle.predict([{ island: "Dream", bill_length_mm: 46.5, bill_depth_mm: 17.9 }]);
 * ```
 * @module
 */
import { mkdtemp, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Koan } from "../client/client.js";
import { KoanError } from "../core/errors.js";
import { createComponent } from "../core/flavor.js";
import { isBlobHash, type ArtifactStore } from "../stores/artifact/types.js";
import { blobReader } from "../runner/io.js";
import { parseArtifactStoreUri } from "../stack/uri.js";
import { ServingBundle, type BundleOptions } from "./bundle.js";
import { BUNDLE_MANIFEST } from "./format.js";
import { bundleMaterializer } from "./type.js";

/** Options of {@link loadBundle}. */
export interface LoadBundleOptions extends BundleOptions {
  /** An open Koan client to resolve project references with (default: the project at or above the working folder). */
  koan?: Koan;
  /** For artifact URIs: the artifact store's URI (when the recorded one lacks options such as an endpoint). */
  store?: string;
  /** Folder to lay an artifact's files out in (default: a new temporary folder). */
  scratch?: string;
}

async function isBundleFolder(path: string): Promise<boolean> {
  return (await stat(join(path, BUNDLE_MANIFEST)).catch(() => undefined))?.isFile() ?? false;
}

async function scratchDir(options: LoadBundleOptions): Promise<string> {
  return options.scratch ?? mkdtemp(join(tmpdir(), "koan-bundle-"));
}

async function fromArtifactUri(uri: string, options: LoadBundleOptions): Promise<ServingBundle> {
  const at = uri.lastIndexOf("/sha256/");
  const hash = uri.slice(at + "/sha256/".length);
  if (!isBlobHash(hash)) throw new KoanError("USAGE", `"${uri}" does not end in /sha256/<64 hex digits>`);
  await import("../stores/flavors.js");
  const spec = parseArtifactStoreUri(options.store ?? uri.slice(0, at));
  const store = await createComponent<ArtifactStore>("artifact-store", spec.flavor, spec.config, { projectDir: process.cwd() });
  try {
    const bundle = await bundleMaterializer.load(hash, bundleMaterializer.version, blobReader(store, await scratchDir(options)));
    return ServingBundle.open(bundle.folder, options);
  } finally {
    await store.close();
  }
}

async function fromProject(ref: string, options: LoadBundleOptions): Promise<ServingBundle> {
  const { Koan: Client } = await import("../client/client.js");
  const koan = options.koan ?? (await Client.open());
  try {
    let artifact;
    if (ref.startsWith("r-") && !ref.includes("/")) {
      const { resolveBundleArtifact } = await import("../serving/resolve.js");
      artifact = await resolveBundleArtifact(koan, ref);
    } else {
      artifact = await koan.resolveArtifact(ref);
    }
    if (artifact.materializer !== bundleMaterializer.name) {
      throw new KoanError("USAGE", `artifact ${artifact.id} is a ${artifact.type} artifact, not a serving bundle`, { hint: "name the bundle step's output, e.g. <run>/bundle/bundle" });
    }
    const bundle = (await koan.load(artifact, await scratchDir(options))) as ServingBundle;
    return ServingBundle.open(bundle.folder, options);
  } finally {
    if (!options.koan) await koan.close();
  }
}

/**
 * Load a serving bundle from a folder, an artifact URI, or a project reference (see the module comment).
 * @throws KoanError `NOT_FOUND` when nothing bundle-like is found, `FORMAT_INVALID` for a damaged or too new bundle.
 */
export async function loadBundle(ref: string, options: LoadBundleOptions = {}): Promise<ServingBundle> {
  if (typeof ref !== "string" || ref === "") throw new KoanError("USAGE", "loadBundle needs a folder, an artifact URI or an artifact reference");
  if (ref.startsWith("file:") && !ref.includes("/sha256/")) return ServingBundle.open(fileURLToPath(ref), options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) return fromArtifactUri(ref, options);
  if (await isBundleFolder(ref)) return ServingBundle.open(resolve(ref), options);
  if ((await stat(ref).catch(() => undefined))?.isDirectory()) {
    throw new KoanError("NOT_FOUND", `${ref} is not a Koan serving bundle: it has no ${BUNDLE_MANIFEST}`);
  }
  return fromProject(ref, options);
}
