/**
 * Loading a CommonJS package from Koan's ES modules with `require`.
 *
 * `import()` of a CommonJS package makes Node's ESM loader scan the source of the package's entry (and of every
 * file it re-exports with `__exportStar`) for named exports, before the package even runs. For packages of many
 * files that scan costs more than loading them: `import("@tensorflow/tfjs")` takes about 0.8 s of CPU here where
 * `require` takes 0.2 s, and `@duckdb/node-api` 0.4 s against 0.15 s. `require` gives the same module instance
 * that a later `import` of the package gets, so both can be mixed. Only for packages without an `exports` map
 * that offers a separate ES module build (that would load a second copy).
 * @module
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/**
 * `require(specifier)`, as a promise (a package that is missing or fails to load rejects, with `require`'s
 * error and its `code`, such as `MODULE_NOT_FOUND`).
 * @example
 * ```ts
 * const { DuckDBInstance } = await loadCommonJs<typeof import("@duckdb/node-api")>("@duckdb/node-api");
 * ```
 */
export function loadCommonJs<T>(specifier: string): Promise<T> {
  return new Promise<T>((resolve) => resolve(require(specifier) as T));
}
