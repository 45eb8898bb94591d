/**
 * The image remote steps run, as `koan build` recorded it in `.koan/build/image.json`: its reference, the git
 * commit (and dirtiness) of the project it was built from, and the lockfile's hash. A run that sends a step to a
 * remote backend checks the project is still at that state, so the image runs the code the run records.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { KoanError } from "../core/errors.js";
import { KOAN_DIR } from "../project/project.js";
import { captureEnvironment } from "../client/environment.js";

/** The git state of a project (as `captureEnvironment` records it). */
export interface GitState {
  commit: string;
  dirty: boolean;
  diffHash: string | null;
}

/** What `koan build` records about the image it prepared. */
export interface BuildRecord {
  /** The image reference remote steps run (`registry/repo:tag`). */
  image: string;
  /** The build-context folder. */
  contextDir: string;
  createdAt: string;
  /** The project's git state when the context was written (null outside git). */
  git: GitState | null;
  lockfileHash: string | null;
  /** Koan's version in the image. */
  koan: string;
}

const recordSchema = z.object({
  image: z.string().min(1),
  contextDir: z.string(),
  createdAt: z.string(),
  git: z.object({ commit: z.string(), dirty: z.boolean(), diffHash: z.string().nullable() }).nullable(),
  lockfileHash: z.string().nullable(),
  koan: z.string(),
});

/** Where the record lives. */
export function buildRecordFile(projectDir: string): string {
  return join(projectDir, KOAN_DIR, "build", "image.json");
}

/** The recorded build, or undefined when `koan build` never ran here. */
export async function readBuildRecord(projectDir: string): Promise<BuildRecord | undefined> {
  const file = buildRecordFile(projectDir);
  const text = await readFile(file, "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KoanError("CONFIG_INVALID", `${file} is not valid JSON`, { hint: "run `koan build` again" });
  }
  const r = recordSchema.safeParse(parsed);
  if (!r.success) throw new KoanError("CONFIG_INVALID", `${file}: ${r.error.issues[0]?.path.join(".") || "(root)"}: ${r.error.issues[0]?.message}`, { hint: "run `koan build` again" });
  return r.data;
}

/** Write the record (atomically). */
export async function writeBuildRecord(projectDir: string, record: BuildRecord): Promise<void> {
  const file = buildRecordFile(projectDir);
  await mkdir(join(projectDir, KOAN_DIR, "build"), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`);
  await rename(tmp, file);
}

/** Why the project no longer matches the recorded build, or undefined when it does. */
export function buildMismatch(record: BuildRecord, now: GitState | null): string | undefined {
  const describe = (g: GitState | null): string => (g ? `commit ${g.commit.slice(0, 12)}${g.dirty ? " with uncommitted changes" : ""}` : "no git commit");
  if (!record.git || !now) return record.git === now ? undefined : `the image was built from ${describe(record.git)}, but the project is at ${describe(now)}`;
  if (record.git.commit !== now.commit || record.git.dirty !== now.dirty || record.git.diffHash !== now.diffHash) {
    return `the image was built from ${describe(record.git)}, but the project is now at ${describe(now)}${record.git.commit === now.commit ? " (different changes)" : ""}`;
  }
  return undefined;
}

/** The project's git state now (null outside git). */
export async function gitState(projectDir: string): Promise<GitState | null> {
  return ((await captureEnvironment(projectDir)).git ?? null) as GitState | null;
}

/**
 * The image remote steps run: `configured` when given, else the one `koan build` recorded, which must hold the
 * project's current code. `who` names the component in errors.
 */
export async function stepImage(projectDir: string, configured: string | undefined, who: string, git: () => Promise<GitState | null> = () => gitState(projectDir)): Promise<string> {
  if (configured) return configured;
  const built = await readBuildRecord(projectDir);
  if (!built) {
    throw new KoanError("CONFIG_INVALID", `${who} needs a container image, and none is configured or built`, {
      hint: "run `koan build --image <registry>/<repo>:<tag> --push`, or set image in its config",
    });
  }
  const mismatch = buildMismatch(built, await git());
  if (mismatch) {
    throw new KoanError("CONFIG_INVALID", `the image ${built.image} recorded by koan build does not hold this project's code: ${mismatch}`, {
      hint: "run `koan build` again and push the image (or commit, then build), so remote steps run the code this run records",
    });
  }
  return built.image;
}
