/**
 * `koan build`: write the step image's build context (see context.ts), build and push it with Docker where a
 * daemon answers, and record the image reference with the project's git state in `.koan/build/image.json`.
 * Runs that send steps to a remote backend use that image and check the project is still at that state.
 * @module
 */
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { KoanError } from "../../core/errors.js";
import { captureEnvironment } from "../../client/environment.js";
import { KOAN_DIR } from "../../project/project.js";
import { dnsName } from "../../serving/deploy/container.js";
import { dockerAvailable, run } from "../../serving/deploy/docker.js";
import { KOAN_VERSION } from "../../version.js";
import { writeBuildRecord, type BuildRecord, type GitState } from "../image.js";
import { packageName, writeContext } from "./context.js";

/** Options of {@link buildImage}. */
export interface BuildOptions {
  projectDir: string;
  /** Image reference (default `koan-<package>:<commit>`); push needs a registry path. */
  image?: string | undefined;
  /** Context folder (default `.koan/build/context`, replaced); another folder must be empty or new. */
  out?: string | undefined;
  baseImage?: string | undefined;
  /** Run `docker build`: when a daemon answers (`auto`, default), `always`, or `never` (context only). */
  docker?: "auto" | "always" | "never";
  /** Push the image after building it. */
  push?: boolean;
  log?: (line: string) => void;
}

/** What {@link buildImage} did. */
export interface BuildResult extends BuildRecord {
  built: boolean;
  pushed: boolean;
  /** Project files copied into the context. */
  files: number;
  /** The commands to build and push it by hand (when Docker did not). */
  commands: string[];
}

const IMAGE_REF = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/** Check an image reference (`registry/repo:tag`). */
export function checkImageRef(image: string): void {
  if (!IMAGE_REF.test(image)) {
    throw new KoanError("USAGE", `"${image}" is not a valid image reference`, { hint: "e.g. us-central1-docker.pkg.dev/<project>/koan/my-pipelines:v1 (lower case, optional :tag)" });
  }
}

/** Build (or prepare) the step image; see the module description. */
export async function buildImage(options: BuildOptions): Promise<BuildResult> {
  const log = options.log ?? (() => undefined);
  const env = await captureEnvironment(options.projectDir);
  const gitState = (env.git ?? null) as GitState | null;
  const name = dnsName((await packageName(options.projectDir)).replace(/^@[^/]+\//, ""));
  const image = options.image ?? `koan-${name}:${gitState ? `${gitState.commit.slice(0, 12)}${gitState.dirty ? "-dirty" : ""}` : "dev"}`;
  checkImageRef(image);
  if (options.push && !image.includes("/")) {
    throw new KoanError("USAGE", `cannot push "${image}": it names no registry`, { hint: "give --image <registry>/<repository>:<tag>, e.g. us-central1-docker.pkg.dev/<project>/koan/app:v1" });
  }
  const ours = join(options.projectDir, KOAN_DIR, "build", "context");
  const out = options.out ? resolve(options.projectDir, options.out) : ours;
  if (out === ours) await rm(out, { recursive: true, force: true });
  else if (existsSync(out) && (await readdir(out)).length) throw new KoanError("USAGE", `${out} is not empty`, { hint: "give an empty or new folder with --out" });
  const selfHosted = name === "koan";
  const files = await writeContext(options.projectDir, out, {
    baseImage: options.baseImage ?? "node:20-slim",
    label: `${name} at ${gitState ? `commit ${gitState.commit}${gitState.dirty ? " (with uncommitted changes)" : ""}` : "no git commit"}`,
    binDir: selfHosted ? "/app/bin" : undefined,
  });
  log(`wrote the build context of ${image} to ${out} (${files.length} project files)`);
  const commands = [`docker build -t ${image} ${out}`, ...(image.includes("/") ? [`docker push ${image}`] : [])];
  let built = false;
  let pushed = false;
  const mode = options.docker ?? "auto";
  if (mode === "always" || (mode === "auto" && (await dockerAvailable()))) {
    log(`docker build -t ${image} ${out}`);
    const code = await run("docker", ["build", "-t", image, out], log);
    if (code !== 0) throw new KoanError("STEP_FAILED", `docker build failed (exit ${code})`, { hint: `the build context is in ${out}` });
    built = true;
    if (options.push) {
      log(`docker push ${image}`);
      const pushCode = await run("docker", ["push", image], log);
      if (pushCode !== 0) throw new KoanError("STEP_FAILED", `docker push ${image} failed (exit ${pushCode})`, { hint: "log in to the registry first (e.g. gcloud auth configure-docker <region>-docker.pkg.dev)" });
      pushed = true;
    }
  } else if (options.push) {
    throw new KoanError("USAGE", "--push needs Docker, and no Docker daemon answers here", { hint: `build and push elsewhere: ${commands.join(" && ")}` });
  }
  const record: BuildRecord = {
    image,
    contextDir: out,
    createdAt: new Date().toISOString(),
    git: gitState,
    lockfileHash: (env.lockfileHash ?? null) as string | null,
    koan: KOAN_VERSION,
  };
  await writeBuildRecord(options.projectDir, record);
  return { ...record, built, pushed, files: files.length, commands: built ? (pushed ? [] : commands.slice(1)) : commands };
}
