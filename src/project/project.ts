/** Finding and creating Koan projects (a folder holding `.koan/`). @module */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { KoanError } from "../core/errors.js";
import { defaultConfig, parseConfig, renderConfig, type ProjectConfig } from "./config.js";

/** An initialised project. */
export interface Project {
  /** The folder holding `.koan/`. */
  readonly dir: string;
  readonly configFile: string;
  readonly config: ProjectConfig;
}

export const KOAN_DIR = ".koan";

/** The nearest folder at or above `from` that holds `.koan/config.yaml`, or undefined. */
export function findProjectDir(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, KOAN_DIR, "config.yaml"))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Read a project's config. */
export async function readProject(dir: string): Promise<Project> {
  const configFile = join(dir, KOAN_DIR, "config.yaml");
  const text = await readFile(configFile, "utf8").catch(() => {
    throw new KoanError("PROJECT_NOT_FOUND", `no Koan project at ${dir}`, { hint: "run `koan init` first" });
  });
  return { dir, configFile, config: parseConfig(text, configFile) };
}

/** Create `.koan/` with the default stack (no-op when it exists). Returns the project and whether it was created. */
export async function initProject(dir: string): Promise<{ project: Project; created: boolean }> {
  const configFile = join(dir, KOAN_DIR, "config.yaml");
  if (existsSync(configFile)) return { project: await readProject(dir), created: false };
  await mkdir(join(dir, KOAN_DIR), { recursive: true });
  await writeFile(join(dir, KOAN_DIR, ".gitignore"), "# Koan's local stack: artifacts and metadata stay out of git\n*\n");
  const tmp = `${configFile}.tmp`;
  await writeFile(tmp, renderConfig(defaultConfig()));
  await rename(tmp, configFile);
  return { project: await readProject(dir), created: true };
}

/**
 * Replace a project's config atomically (temp file, then rename). The new config is validated first (by
 * rendering and parsing it back), so a bad config is never written. Returns the project with the new config.
 */
export async function saveProjectConfig(project: Project, config: ProjectConfig): Promise<Project> {
  const text = renderConfig(config);
  const checked = parseConfig(text, project.configFile);
  const tmp = `${project.configFile}.${process.pid}.${Date.now().toString(36)}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, project.configFile);
  return { ...project, config: checked };
}
