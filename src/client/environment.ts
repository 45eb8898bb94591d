/**
 * Environment capture for every run: Koan and Node versions, OS, the lockfile's hash, and the git commit with
 * whether the tree was dirty (and a hash of the diff).
 * @module
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { join } from "node:path";
import { sha256, type JsonValue } from "../core/hash.js";
import { KOAN_VERSION } from "../version.js";

function git(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile("git", args, { cwd: dir, encoding: "utf8", maxBuffer: 256 << 20 }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** Capture the environment of a run started in `dir` (the git queries run in parallel). */
export async function captureEnvironment(dir: string): Promise<{ [key: string]: JsonValue }> {
  let lockfileHash: string | null = null;
  for (const name of ["package-lock.json", "pnpm-lock.yaml", "yarn.lock"]) {
    try {
      lockfileHash = `${name}:${sha256(readFileSync(join(dir, name)))}`;
      break;
    } catch {
      /* try the next */
    }
  }
  const [head, status] = await Promise.all([git(dir, ["rev-parse", "HEAD"]), git(dir, ["status", "--porcelain"])]);
  const commit = head?.trim();
  let gitInfo: JsonValue = null;
  if (commit) {
    const dirty = (status ?? "").length > 0;
    const diff = dirty ? ((await git(dir, ["diff", "HEAD"])) ?? "") + status : "";
    gitInfo = { commit, dirty, diffHash: dirty ? sha256(diff) : null };
  }
  return { koan: KOAN_VERSION, node: process.version, platform: platform(), arch: arch(), osRelease: release(), lockfileHash, git: gitInfo };
}
