/**
 * Pipeline files in a project without `"type": "module"` are compiled by tsx to CommonJS, and their
 * `require("koan")` (or of any file of Koan's) would load, and compile again, a second copy of Koan (about three
 * seconds, and a second set of module state). Once installed, a `require` that resolves into Koan's compiled
 * folder is answered by Node's own `require` of that ES module, which returns the instance already loaded
 * (Node ≥ 20.19 requires ES modules natively, from the same module cache as `import`). Where Node cannot require
 * ES modules, only `require("koan")` is answered, with the loaded public API. The ESM side of the same problem is
 * koan-instance-hook.ts.
 * @module
 */
import Module, { createRequire } from "node:module";

interface ModuleInternals {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
}

let installed = false;

/**
 * Answer `require`s that resolve into `folder` (Koan's compiled `src` folder, ending in the path separator) with the
 * modules already loaded; `index` is that folder's `index.js` and `api` its loaded namespace. Installed once per
 * process; other requests are untouched.
 * @example
 * ```ts
 * const index = fileURLToPath(new URL("../index.js", import.meta.url));
 * shareKoanWithCommonJs(dirname(index) + sep, index, await import("../index.js"));
 * ```
 */
export function shareKoanWithCommonJs(folder: string, index: string, api: object): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  const load = internals._load;
  const nativeRequire = createRequire(index);
  const requireEsm = process.features.require_module === true;
  let native = false; // inside nativeRequire, which comes through here too
  internals._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (native || request.startsWith("node:")) return load.call(this, request, parent, isMain);
    let resolved: string | undefined;
    try {
      resolved = internals._resolveFilename(request, parent, isMain).split("?")[0];
    } catch {
      resolved = undefined; // let the original loader report it
    }
    if (resolved !== undefined && resolved.startsWith(folder)) {
      if (resolved === index && !requireEsm) return api;
      if (requireEsm && resolved.endsWith(".js")) {
        native = true;
        try {
          return nativeRequire(resolved);
        } finally {
          native = false;
        }
      }
    }
    return load.call(this, request, parent, isMain);
  };
}
