/**
 * Pipeline files in a project without `"type": "module"` are compiled by tsx to CommonJS, and their
 * `require("koan")` would load, and compile again, a second copy of Koan (about three seconds, and a second set of
 * module state). Once installed, this makes `require("koan")`, where it resolves to this very Koan, return the
 * instance already loaded. The ESM side of the same problem is koan-instance-hook.ts.
 * @module
 */
import Module from "node:module";

interface ModuleInternals {
  _load(request: string, parent: unknown, isMain: boolean): unknown;
  _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
}

let installed = false;

/**
 * Make `require("koan")` that resolves to `indexFile` (Koan's compiled `index.js`) return `api` (its loaded module
 * namespace). Installed once per process; other requests are untouched.
 * @example
 * ```ts
 * shareKoanWithCommonJs(fileURLToPath(new URL("../index.js", import.meta.url)), await import("../index.js"));
 * ```
 */
export function shareKoanWithCommonJs(indexFile: string, api: object): void {
  if (installed) return;
  installed = true;
  const internals = Module as unknown as ModuleInternals;
  const load = internals._load;
  internals._load = function (this: unknown, request: string, parent: unknown, isMain: boolean): unknown {
    if (request === "koan") {
      let resolved: string | undefined;
      try {
        resolved = internals._resolveFilename(request, parent, isMain);
      } catch {
        resolved = undefined; // let the original loader report it
      }
      if (resolved !== undefined && resolved.split("?")[0] === indexFile) return api;
    }
    return load.call(this, request, parent, isMain);
  };
}
