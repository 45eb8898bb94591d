/**
 * The manifest format shared by the file and folder materializers: a sorted list of relative paths with the
 * blob holding each file. The manifest itself is the artifact's root blob, so its hash covers names and contents.
 * @module
 */
import { constants } from "node:fs";
import { copyFile, mkdir, readdir, lstat } from "node:fs/promises";
import { join, dirname, sep, posix } from "node:path";
import { KoanError } from "../core/errors.js";
import { canonicalJson } from "../core/hash.js";
import { mapLimit } from "../core/map-limit.js";
import type { BlobReader, BlobRef, BlobWriter, SavedArtifact } from "./types.js";

/** Files of a tree stored at once. */
const PUT_CONCURRENCY = 4;

/** One file of a tree manifest. */
export interface TreeEntry {
  /** Relative POSIX path inside the artifact. */
  readonly path: string;
  readonly hash: string;
  readonly size: number;
}

/** Version 1 of the manifest. */
export interface TreeManifest {
  readonly kind: "file" | "dir";
  readonly files: readonly TreeEntry[];
}

/** Every regular file below `root`, as sorted relative POSIX paths. Symbolic links are refused. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(rel: string): Promise<void> {
    const entries = await readdir(join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) out.push(r);
      else {
        const s = await lstat(join(root, r));
        throw new KoanError("OUTPUT_INVALID", `"${join(root, r)}" is ${s.isSymbolicLink() ? "a symbolic link" : "not a regular file"}; folders may hold only files and folders`);
      }
    }
  }
  await walk("");
  return out.sort();
}

/** Store files (relative paths under `base`) and a manifest naming them. */
export async function saveTree(kind: "file" | "dir", base: string, paths: readonly string[], out: BlobWriter): Promise<SavedArtifact> {
  return saveFiles(kind, paths.map((p) => ({ path: p, local: join(base, ...p.split("/")) })), out);
}

/** Store local files under the given relative paths, and a manifest naming them (sorted by path). */
export async function saveFiles(kind: "file" | "dir", files: readonly { path: string; local: string }[], out: BlobWriter): Promise<SavedArtifact> {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Side by side: hashing, syncing and (for remote stores) uploading one file does not wait for the others.
  const blobs: BlobRef[] = await mapLimit(sorted, PUT_CONCURRENCY, (f) => out.putFile(f.local));
  const entries: TreeEntry[] = sorted.map((f, i) => ({ path: f.path, hash: (blobs[i] as BlobRef).hash, size: (blobs[i] as BlobRef).size }));
  const manifest: TreeManifest = { kind, files: entries };
  const root = await out.putBytes(Buffer.from(canonicalJson(manifest), "utf8"));
  const total = entries.reduce((n, f) => n + f.size, 0);
  return { root, blobs: [root, ...blobs], meta: { files: entries.length, bytes: total, ...(kind === "file" && entries[0] ? { name: entries[0].path } : {}) } };
}

/** Read a manifest blob. */
export async function readManifest(root: string, input: BlobReader): Promise<TreeManifest> {
  const m = JSON.parse(Buffer.from(await input.bytes(root)).toString("utf8")) as TreeManifest;
  for (const f of m.files) {
    if (f.path.startsWith("/") || f.path.split("/").includes("..") || f.path.includes("\\")) {
      throw new KoanError("ARTIFACT_CORRUPT", `manifest ${root} names a path outside its folder: "${f.path}"`);
    }
  }
  return m;
}

/**
 * Lay a manifest's files out under `target` as copy-on-write clones of the stored blobs where the file system
 * can (plain copies elsewhere). Never hard links: a consumer writing to its input must not change the store.
 */
export async function layOut(manifest: TreeManifest, target: string, input: BlobReader): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const f of manifest.files) {
    const dest = join(target, ...f.path.split(posix.sep));
    if (!dest.startsWith(target + sep)) throw new KoanError("ARTIFACT_CORRUPT", `path escapes its folder: "${f.path}"`);
    await mkdir(dirname(dest), { recursive: true });
    const src = await input.path(f.hash);
    await copyFile(src, dest, constants.COPYFILE_FICLONE);
  }
}
