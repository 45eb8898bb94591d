/**
 * A module resolve hook (registered by pipeline-file.ts) that keeps pipeline files on the Koan already loaded.
 * tsx loads a pipeline file in a namespace: every URL resolved from it gets a `tsx-namespace` query, so its
 * `import "koan"` would load, and compile again, a second copy of every Koan module (about a second per
 * process, and a second set of module state). For URLs inside Koan's own compiled folder this hook drops that
 * query, so Node's module cache returns the modules this process already has.
 * @module
 */
import type { InitializeHook, ResolveHook } from "node:module";

/** What the hook is registered with. */
export interface KoanInstanceHookData {
  /** URL of Koan's compiled `src` folder, ending in `/`. */
  readonly root: string;
}

let root = "";

/** Node calls this once with the registration's data. */
export const initialize: InitializeHook<KoanInstanceHookData> = (data) => {
  root = data.root;
};

/** Resolve as the rest of the chain does; inside Koan's folder, without tsx's namespace. */
export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
  const resolved = await nextResolve(specifier, context);
  if (root === "" || !resolved.url.startsWith(root) || !resolved.url.includes("tsx-namespace=")) return resolved;
  const url = new URL(resolved.url);
  url.searchParams.delete("tsx-namespace");
  return { ...resolved, url: url.href };
};
