/** Finding the project a stack command works on. @module */
import { KoanError } from "../core/errors.js";
import { findProjectDir, readProject, type Project } from "../project/project.js";

/** The project at or above `dir` (default: the current folder); `PROJECT_NOT_FOUND` when there is none. */
export async function projectAt(dir?: string): Promise<Project> {
  const start = dir ?? process.cwd();
  const found = findProjectDir(start);
  if (!found) throw new KoanError("PROJECT_NOT_FOUND", `no Koan project at or above ${start}`, { hint: "run `koan init` first" });
  return readProject(found);
}
