/**
 * Fingerprints of what file-based sources read: the content hash of every file with its name relative to the
 * source's root, so a changed, added, removed or renamed file is a new version and a touched one is not.
 * @module
 */
import { relative, sep } from "node:path";
import { fileFingerprint } from "../../core/fingerprint.js";
import { hashJson, type JsonValue } from "../../core/hash.js";

/** One file a source reads, named relative to the source's root. */
export interface NamedFile {
  readonly path: string;
  /** A stable name for the file (POSIX separators), e.g. `Split-train/data-00000-of-00001.gz`. */
  readonly name: string;
}

/** `[name, sha256]` for every file, in the given order, hashed into one value. */
export async function filesFingerprint(files: readonly NamedFile[], extra: JsonValue = null): Promise<string> {
  const parts: [string, string][] = [];
  for (const f of files) parts.push([f.name, await fileFingerprint(f.path)]);
  return `sha256:${hashJson({ files: parts, extra })}`;
}

/** `path` relative to `root` with POSIX separators. */
export function posixRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join("/");
}
