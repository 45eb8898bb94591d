/** Shared test helpers: temp projects, pipeline files, and running the real CLI. */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests run from dist/test/...). */
export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO, "bin", "koan.js");
/** ../shared beside the repository, if present. */
export const SHARED = join(REPO, "..", "shared");
export const HAS_SHARED = existsSync(join(SHARED, "fixtures"));

/** A fresh temp folder; removed by the returned cleanup. */
export async function tempDir(prefix = "koan-test-"): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A temp project folder where pipeline files can `import ... from "koan"` and `"zod"` (node_modules links to
 * this repository and its dependencies).
 */
export async function tempProject(): Promise<{ dir: string; write: (name: string, text: string) => Promise<string>; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir();
  await mkdir(join(dir, "node_modules"), { recursive: true });
  await symlink(REPO, join(dir, "node_modules", "koan"), "dir");
  await symlink(join(REPO, "node_modules", "zod"), join(dir, "node_modules", "zod"), "dir");
  return {
    dir,
    cleanup,
    write: async (name, text) => {
      const file = join(dir, name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
  };
}

/** Result of a CLI call. */
export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run `koan ...args` in `cwd` and wait for it. */
export function koan(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnKoan(args, cwd, env);
  return finished(child);
}

/** Start `koan ...args` without waiting. */
export function spawnKoan(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** Wait for a child started with spawnKoan. */
export function finished(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Wait until `check` is true (polling), or fail after `ms`. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 20_000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
