/**
 * Loading pipeline files: `.ts` (and `.mts`, `.js`, `.mjs`) files that default-export a pipeline, compiled on the
 * fly by `tsx` with no build step.
 * @module
 */
import { randomUUID } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { register as registerHooks } from "node:module";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { KoanError, messageOf } from "../core/errors.js";
import { sha256 } from "../core/hash.js";
import { isPipeline, type Pipeline } from "../core/pipeline.js";
import { shareKoanWithCommonJs } from "./commonjs-koan.js";
import type { KoanInstanceHookData } from "./koan-instance-hook.js";

/** A pipeline with the file it came from and the hash of that file's source. */
export interface LoadedPipeline {
  pipeline: Pipeline;
  file: string;
  sourceHash: string;
}

/** Load a pipeline file. Errors: `PIPELINE_FILE_NOT_FOUND`, `PIPELINE_FILE_INVALID` (does not compile or load, or exports no pipeline). */
export async function loadPipelineFile(path: string, cwd = process.cwd()): Promise<LoadedPipeline> {
  const file = resolve(cwd, path);
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile()) throw new KoanError("PIPELINE_FILE_NOT_FOUND", `pipeline file ${file} does not exist`, { hint: "check the path; pipeline files are .ts files that default-export pipeline(...)" });
  const source = await readFile(file);
  let mod: Record<string, unknown>;
  try {
    // Load Koan's public API first: the pipeline's `import "koan"` gets this instance (see the two modules).
    const api = await import("../index.js");
    const index = fileURLToPath(new URL("../index.js", import.meta.url));
    shareKoanWithCommonJs(dirname(index) + sep, index, api);
    const [{ register }, cjs] = await Promise.all([import("tsx/esm/api"), import("tsx/cjs/api")]);
    const namespace = randomUUID(); // a fresh namespace per load (files are read afresh), as tsImport does
    cjs.register({ namespace }); // pipeline files in a project without "type": "module" compile to CommonJS
    const tsx = register({ namespace });
    registerHooks(new URL("./koan-instance-hook.js", import.meta.url), { data: { root: new URL("../", import.meta.url).href } satisfies KoanInstanceHookData });
    mod = (await tsx.import(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof KoanError) throw e;
    throw new KoanError("PIPELINE_FILE_INVALID", `cannot load pipeline file ${file}: ${messageOf(e)}`, {
      cause: e,
      hint: "fix the error above; `npx tsc --noEmit` shows type errors too",
    });
  }
  const candidate = isPipeline(mod.default) ? mod.default : isPipeline((mod.default as Record<string, unknown> | undefined)?.default) ? (mod.default as Record<string, unknown>).default : undefined;
  if (!isPipeline(candidate)) {
    const named = Object.entries(mod).filter(([, v]) => isPipeline(v)).map(([k]) => k);
    throw new KoanError("PIPELINE_FILE_INVALID", `${file} does not default-export a pipeline`, {
      hint: named.length ? `it exports ${named.join(", ")}; add: export default ${named[0]};` : "add: export default pipeline({ name, build: () => { ... } })",
    });
  }
  return { pipeline: candidate, file, sourceHash: sha256(source) };
}
