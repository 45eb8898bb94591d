/**
 * The build context of the image remote steps run: the project's files (what git tracks or would track; without
 * `node_modules`, `.git`, Koan's local stores and files that commonly hold credentials), its lockfile, and a
 * Dockerfile on a Node base image that runs `npm ci` and puts `koan` on the PATH, so a job's command
 * `koan step-run <run> <step>` runs the project's own Koan against the project's own pipeline files.
 * @module
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { KoanError } from "../../core/errors.js";
import { KOAN_DIR } from "../../project/project.js";

/** Options of the image. */
export interface ContextOptions {
  /** Base image (default `node:20-slim`). */
  baseImage: string;
  /** A comment naming the project and commit at the top of the Dockerfile. */
  label: string;
  /** Extra path the project's own `koan` binary lives in (when the project is Koan itself). */
  binDir?: string | undefined;
}

/** Files never copied into the image: credentials and local state. */
const NEVER = [/^\.npmrc$/, /(^|\/)\.env(\..*)?$/, /(^|\/)\.git(\/|$)/, /(^|\/)node_modules(\/|$)/, /\.(pem|key|p12)$/i, /(^|\/)credentials\.json$/i, /(^|\/)service-account.*\.json$/i];

/** Whether a project-relative path may go into the image. */
export function copyable(rel: string): boolean {
  const p = rel.split(sep).join("/");
  if (p.startsWith(`${KOAN_DIR}/`)) return p === `${KOAN_DIR}/config.yaml`;
  return !NEVER.some((re) => re.test(p));
}

function git(dir: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => execFile("git", args, { cwd: dir, encoding: "utf8", maxBuffer: 256 << 20 }, (e, out) => resolve(e ? undefined : out)));
}

async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const rel = relative(root, full);
    if (entry.isDirectory()) {
      if (!["node_modules", ".git", KOAN_DIR].includes(entry.name)) await walk(root, full, out);
    } else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** The project's files to copy (relative paths, sorted): git's view when in a repository, else a folder walk. */
export async function projectFiles(projectDir: string): Promise<string[]> {
  const listed = await git(projectDir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."]);
  const files = listed === undefined ? await walk(projectDir) : listed.split("\0").filter(Boolean);
  const present: string[] = [];
  for (const f of files) if (copyable(f) && (await stat(join(projectDir, f)).catch(() => undefined))?.isFile()) present.push(f);
  if (existsSync(join(projectDir, KOAN_DIR, "config.yaml")) && !present.includes(`${KOAN_DIR}/config.yaml`)) present.push(`${KOAN_DIR}/config.yaml`);
  return present.sort();
}

/** The Dockerfile of the step image. */
export function stepDockerfile(options: ContextOptions): string {
  return [
    `# Koan step image: ${options.label}`,
    "# Remote step backends run `koan step-run <run-id> <step>` in it (see docs/step-backends.md).",
    `FROM ${options.baseImage}`,
    "ENV NODE_ENV=production NO_COLOR=1",
    "WORKDIR /app",
    "COPY project/package.json project/package-lock.json ./",
    "RUN npm ci --no-audit --no-fund && npm cache clean --force",
    "COPY project/ ./",
    `ENV PATH=${options.binDir ? `${options.binDir}:` : ""}/app/node_modules/.bin:$PATH`,
    "USER node",
    'CMD ["koan", "--help"]',
    "",
  ].join("\n");
}

/** Write the context into `out` (an empty or new folder): `Dockerfile`, `.dockerignore`, `project/...`. Returns the files copied. */
export async function writeContext(projectDir: string, out: string, options: ContextOptions): Promise<string[]> {
  if (!existsSync(join(projectDir, "package.json"))) {
    throw new KoanError("USAGE", `${projectDir} has no package.json`, { hint: "koan build packages an npm project: run npm init and npm install koan first" });
  }
  if (!existsSync(join(projectDir, "package-lock.json"))) {
    throw new KoanError("USAGE", `${projectDir} has no package-lock.json, which npm ci needs to install exactly the locked versions`, { hint: "run npm install once to write it, and commit it" });
  }
  const files = await projectFiles(projectDir);
  for (const f of ["package.json", "package-lock.json"]) if (!files.includes(f)) files.push(f);
  await mkdir(join(out, "project"), { recursive: true });
  for (const f of files) {
    const dest = join(out, "project", f);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(join(projectDir, f), dest);
  }
  await writeFile(join(out, "Dockerfile"), stepDockerfile(options));
  await writeFile(join(out, ".dockerignore"), "project/node_modules\n");
  return files.sort();
}

/** The project's package name (for a default image name). */
export async function packageName(projectDir: string): Promise<string> {
  try {
    const pkg = JSON.parse(await readFile(join(projectDir, "package.json"), "utf8")) as { name?: string };
    return pkg.name ?? "project";
  } catch {
    return "project";
  }
}
