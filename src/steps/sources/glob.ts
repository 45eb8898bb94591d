/**
 * Expanding the paths a source step is given: plain files, folders (walked recursively) and glob patterns (`*`,
 * `?`, `**`, `[abc]`, `{a,b}`), into a sorted, de-duplicated list of absolute file paths. Node 20 has no
 * `fs.glob`, so the few glob rules sources need are implemented here.
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { KoanError } from "../../core/errors.js";

/** A file found for a source: its absolute path and the root it was found under (for split and label names). */
export interface FoundFile {
  readonly path: string;
  /** The folder the user named (or the fixed part of a glob); `relative(root, path)` is the file's relative name. */
  readonly root: string;
}

const MAGIC = /[*?[{]/;

/** True when `text` contains glob syntax. */
export function isGlob(text: string): boolean {
  return MAGIC.test(text);
}

/** A RegExp matching a POSIX relative path against a glob pattern. */
export function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        const slash = pattern[i + 2] === "/";
        re += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body}]`;
        i = end;
      }
    } else if (c === "{") {
      const end = pattern.indexOf("}", i + 1);
      if (end < 0) re += "\\{";
      else {
        re += `(?:${pattern.slice(i + 1, end).split(",").map(escape).join("|")})`;
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re}$`);
}

function escape(s: string): string {
  return s.replace(/[.+^$()|\\\]]/g, "\\$&");
}

/** Every file under `dir`, recursively (hidden files and folders skipped), as absolute paths. */
export async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith(".")) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(path)));
    else if (e.isFile()) out.push(path);
    else if (e.isSymbolicLink()) {
      const s = await stat(path).catch(() => undefined);
      if (s?.isFile()) out.push(path);
      else if (s?.isDirectory()) out.push(...(await walkFiles(path)));
    }
  }
  return out;
}

/**
 * Expand `patterns` (files, folders or globs, relative to `base`) into files. A folder contributes the files under
 * it that `accept` accepts; a glob the files it matches; a plain file itself. A path or glob that matches nothing is
 * a `DATA_INVALID` error naming it.
 */
export async function expandPaths(patterns: readonly string[], base: string, accept: (path: string) => boolean): Promise<FoundFile[]> {
  const found = new Map<string, FoundFile>();
  for (const pattern of patterns) {
    const full = isAbsolute(pattern) ? pattern : resolve(base, pattern);
    const matched: FoundFile[] = [];
    if (isGlob(pattern)) {
      const parts = full.split(sep);
      const fixed = parts.findIndex((p) => isGlob(p));
      const root = parts.slice(0, fixed).join(sep) || sep;
      const re = globRegExp(parts.slice(fixed).join("/"));
      const s = await stat(root).catch(() => undefined);
      if (s?.isDirectory()) {
        for (const path of await walkFiles(root)) {
          if (re.test(relative(root, path).split(sep).join("/"))) matched.push({ path, root });
        }
      }
    } else {
      const s = await stat(full).catch(() => undefined);
      if (s?.isDirectory()) {
        for (const path of await walkFiles(full)) if (accept(path)) matched.push({ path, root: full });
      } else if (s?.isFile()) matched.push({ path: full, root: resolve(full, "..") });
      else throw new KoanError("DATA_INVALID", `${full} does not exist`, { details: { file: full } });
    }
    if (!matched.length) throw new KoanError("DATA_INVALID", `${full} matches no files`, { details: { pattern } });
    for (const f of matched) if (!found.has(f.path)) found.set(f.path, f);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
