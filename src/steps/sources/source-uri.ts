/**
 * Where a file source reads from: a local path, a `file://` URL, or a file stored in an artifact store, named by
 * the URI the metadata store records for an artifact, `<artifact store URI>/sha256/<hash>`, optionally followed
 * by a path inside it and the store's options as a query:
 *
 * | path | reads |
 * |---|---|
 * | `data/penguins.csv`, `/abs/penguins.csv`, `file:///abs/penguins.csv` | the local file |
 * | `file:///proj/.koan/artifacts/sha256/<hash>` | a stored file artifact (`types.file()`), or a raw blob |
 * | `s3://bucket/prefix/sha256/<hash>/train.csv?endpoint=http://minio:9000` | `train.csv` of a stored folder artifact |
 *
 * The store is opened through the artifact store flavors (`file://` → local, `s3://`, `gs://`, `azure://`, with
 * the same URI forms as `koan stack register`); credentials come from the flavor's default chain, never from the
 * URI. Blobs are read in place from a local store and downloaded with their hash checked from a remote one.
 * Since a stored file is named by its content hash, its fingerprint needs no read.
 * @module
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { KoanError } from "../../core/errors.js";
import { fileFingerprint } from "../../core/fingerprint.js";
import { createComponent } from "../../core/flavor.js";
import { blobReader } from "../../runner/io.js";
import { readBlob } from "../../stores/artifact/verify.js";
import type { ArtifactStore } from "../../stores/artifact/types.js";
import { parseArtifactStoreUri } from "../../stack/uri.js";
import { redactUri } from "../../secrets/redact.js";
import type { TreeManifest } from "../../materializers/tree.js";

/** A file inside an artifact store. */
export interface StoredFileUri {
  /** The store's URI (with the query's options). */
  readonly store: string;
  /** The artifact's root blob. */
  readonly hash: string;
  /** A path inside a stored folder (or the name of a stored file), if given. */
  readonly path: string | undefined;
}

const STORED = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/.*?)\/sha256\/([0-9a-f]{64})(?:\/([^?]*))?(\?.*)?$/;
const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
/** Root blobs larger than this are data, not a tree manifest. */
const MANIFEST_MAX_BYTES = 8 << 20;

/** Parse `<store URI>/sha256/<hash>[/path][?query]`; undefined for anything else. */
export function parseStoredFileUri(uri: string): StoredFileUri | undefined {
  const m = STORED.exec(uri);
  if (!m) return undefined;
  const path = m[3] ? decodeURIComponent(m[3]) : undefined;
  if (path !== undefined && (path.startsWith("/") || path.split("/").includes(".."))) {
    throw new KoanError("USAGE", `source URI "${redactUri(uri)}": the path inside the artifact must be relative and stay inside it`);
  }
  return { store: `${m[1]}${m[4] ?? ""}`, hash: m[2] as string, path: path || undefined };
}

/**
 * The step fingerprint of a source path: the stored file's hash (and path inside the artifact) for an artifact
 * URI, else the SHA-256 of the local file's content.
 */
export async function sourceFingerprint(path: string): Promise<string> {
  const stored = parseStoredFileUri(path);
  if (stored) return `artifact:sha256:${stored.hash}${stored.path ? `/${stored.path}` : ""}`;
  return fileFingerprint(localSourcePath(path));
}

/** A local path or `file://` URL as an absolute path. */
export function localSourcePath(path: string): string {
  if (/^file:/i.test(path)) return fileURLToPath(path);
  if (URL_LIKE.test(path)) {
    throw new KoanError("USAGE", `source "${redactUri(path)}" is neither a local path nor an artifact URI (<artifact store URI>/sha256/<hash>)`, {
      hint: "copy the file into the project's artifact store (it is then named by its artifact URI), or give a local path",
    });
  }
  return resolve(path);
}

/** The local file to read for a source path, and the name that tells its format. */
export interface ResolvedSource {
  readonly file: string;
  /** The file name (an artifact's recorded name, or the local file's). */
  readonly name: string;
  /** The URI recorded as the dataset's source (credentials redacted). */
  readonly uri: string;
}

/**
 * Find (and for a remote store, download under `scratch`) the file a source path names.
 * @throws KoanError `NOT_FOUND` for an artifact the store does not hold, `USAGE` for a folder artifact without a
 * path to a file in it or a path it does not hold.
 */
export async function resolveSourcePath(path: string, scratch: string): Promise<ResolvedSource> {
  const stored = parseStoredFileUri(path);
  if (!stored) {
    const file = localSourcePath(path);
    return { file, name: file, uri: "" };
  }
  const shown = redactUri(path);
  await import("../../stores/flavors.js");
  const spec = parseArtifactStoreUri(stored.store);
  const store = await createComponent<ArtifactStore>("artifact-store", spec.flavor, spec.config, { projectDir: process.cwd() });
  try {
    const size = (await store.stat(stored.hash))?.size;
    if (size === undefined) throw new KoanError("NOT_FOUND", `source "${shown}": the artifact store ${redactUri(store.uri)} holds no blob ${stored.hash}`, { hint: "check the URI with `koan artifacts`", details: { hash: stored.hash } });
    const reader = blobReader(store, scratch);
    const manifest = size <= MANIFEST_MAX_BYTES ? treeManifestOf(await readBlob(store, stored.hash)) : undefined;
    if (!manifest) {
      if (stored.path) throw new KoanError("USAGE", `source "${shown}": the artifact is a single blob, not a folder holding "${stored.path}"`);
      return { file: await reader.path(stored.hash), name: "", uri: shown };
    }
    const files = manifest.files;
    const entry = stored.path !== undefined ? files.find((f) => f.path === stored.path) : files.length === 1 ? files[0] : undefined;
    if (!entry) {
      const listed = files.slice(0, 10).map((f) => f.path).join(", ");
      throw new KoanError("USAGE", stored.path !== undefined ? `source "${shown}": the artifact holds no file "${stored.path}"` : `source "${shown}": the artifact is a folder of ${files.length} files; name one after the hash`, {
        hint: `its files: ${listed}${files.length > 10 ? ", ..." : ""} (e.g. …/sha256/${stored.hash.slice(0, 8)}…/${files[0]?.path ?? "file.csv"})`,
      });
    }
    return { file: await reader.path(entry.hash), name: entry.path, uri: shown };
  } finally {
    await store.close();
  }
}

/** The tree manifest a root blob holds (a stored file or folder artifact), or undefined for other blobs. */
function treeManifestOf(bytes: Uint8Array): TreeManifest | undefined {
  if (bytes[0] !== 0x7b) return undefined; // "{"
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    return undefined;
  }
  const m = value as TreeManifest;
  const ok =
    typeof m === "object" && m !== null && (m.kind === "file" || m.kind === "dir") && Array.isArray(m.files) &&
    m.files.every((f) => typeof f?.path === "string" && typeof f.hash === "string" && /^[0-9a-f]{64}$/.test(f.hash) && !f.path.startsWith("/") && !f.path.split("/").includes(".."));
  return ok ? m : undefined;
}
