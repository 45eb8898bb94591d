/**
 * Environment capture for every run: Koan and Node versions, OS, the lockfile's hash, and the git commit with
 * whether the tree was dirty (and a hash of the diff).
 * @module
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { arch, platform, release } from "node:os";
import { join } from "node:path";
import { sha256, type JsonValue } from "../core/hash.js";
import { KOAN_VERSION } from "../version.js";

function git(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 << 20 });
  } catch {
    return undefined;
  }
}

/** Capture the environment of a run started in `dir`. */
export function captureEnvironment(dir: string): { [key: string]: JsonValue } {
  let lockfileHash: string | null = null;
  for (const name of ["package-lock.json", "pnpm-lock.yaml", "yarn.lock"]) {
    try {
      lockfileHash = `${name}:${sha256(readFileSync(join(dir, name)))}`;
      break;
    } catch {
      /* try the next */
    }
  }
  const commit = git(dir, ["rev-parse", "HEAD"])?.trim();
  let gitInfo: JsonValue = null;
  if (commit) {
    const status = git(dir, ["status", "--porcelain"]) ?? "";
    const diff = status ? (git(dir, ["diff", "HEAD"]) ?? "") + status : "";
    gitInfo = { commit, dirty: status.length > 0, diffHash: status ? sha256(diff) : null };
  }
  return { koan: KOAN_VERSION, node: process.version, platform: platform(), arch: arch(), osRelease: release(), lockfileHash, git: gitInfo };
}
