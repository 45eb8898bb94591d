/**
 * The materializer registry: loading an artifact looks up the materializer by the name recorded with it.
 * Libraries adding artifact kinds (datasets, models) register theirs here.
 * @module
 */
import { KoanError } from "../core/errors.js";
import type { Materializer } from "./types.js";
import { jsonMaterializer } from "./json.js";
import { bytesMaterializer } from "./bytes.js";
import { fileMaterializer } from "./file.js";
import { dirMaterializer } from "./dir.js";

const registry = new Map<string, Materializer<unknown>>();

/** Register a materializer (idempotent for the same object; a different one under a taken name is an error). */
export function registerMaterializer(m: Materializer<unknown>): void {
  const existing = registry.get(m.name);
  if (existing && existing !== m) throw new KoanError("INTERNAL", `materializer "${m.name}" is already registered`);
  registry.set(m.name, m);
}

/**
 * Built-in materializers that live in modules the CLI does not import up front; `loadMaterializer` imports the
 * module (which registers it) the first time an artifact of that kind is read.
 */
const BUILT_IN: Readonly<Record<string, () => Promise<unknown>>> = {
  "koan.dataset": () => import("../data/dataset/type.js"),
  "koan.transform": () => import("../transform/artifact.js"),
  "koan.model": () => import("../train/model-type.js"),
  "koan.evaluation": () => import("../evaluate/evaluation-type.js"),
  "koan.bundle": () => import("../bundle/type.js"),
};

/** Like {@link materializerFor}, importing a built-in materializer's module when it is not registered yet. */
export async function loadMaterializer(name: string, version: number): Promise<Materializer<unknown>> {
  if (!registry.has(name)) await BUILT_IN[name]?.();
  return materializerFor(name, version);
}

/** The materializer that can read an artifact written by `name` at `version`. */
export function materializerFor(name: string, version: number): Materializer<unknown> {
  const m = registry.get(name);
  if (!m) {
    throw new KoanError("MATERIALIZER_UNKNOWN", `no materializer named "${name}" is registered`, {
      hint: "import the package that defines this artifact type, or upgrade Koan",
    });
  }
  if (version > m.version) {
    throw new KoanError("MATERIALIZER_UNKNOWN", `artifact was written by ${name} v${version}, this Koan reads up to v${m.version}`, {
      hint: "upgrade Koan to read this artifact",
    });
  }
  return m;
}

for (const m of [jsonMaterializer, bytesMaterializer, fileMaterializer, dirMaterializer] as Materializer<unknown>[]) registerMaterializer(m);
