/**
 * Choosing the TF.js backend. `auto` uses `@tensorflow/tfjs-node` (native TensorFlow) when the user installed it,
 * else the WebAssembly backend (SIMD, one thread), else the pure-JavaScript `cpu` backend. The backend is
 * process-wide in TF.js: the last choice wins, and Koan runs one training at a time per process.
 *
 * `@tensorflow/tfjs-node` is optional and never a dependency of Koan: it is detected with a guarded dynamic
 * import. It must register its `tensorflow` backend into the same `@tensorflow/tfjs-core` that Koan loads (npm
 * dedupes it when the versions match); otherwise Koan logs why and falls back to WASM.
 * @module
 */
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { loadCommonJs } from "../core/commonjs.js";
import { KoanError } from "../core/errors.js";
import { loadTf, type Tf } from "./tf.js";

/** A backend name, or `auto`. */
export type BackendName = "auto" | "tensorflow" | "wasm" | "cpu";

/** The backend in use and the `tf` namespace. */
export interface BackendInfo {
  readonly tf: Tf;
  /** `tensorflow` (tfjs-node), `wasm` or `cpu`. */
  readonly backend: "tensorflow" | "wasm" | "cpu";
  /** Why `auto` chose it (or skipped a better one). */
  readonly notes: readonly string[];
}

const NODE_PACKAGE = "@tensorflow/tfjs-node";
let wasmInit: Promise<boolean> | undefined;
let nodeProbe: Promise<string | undefined> | undefined;

/** Import tfjs-node if installed; resolves to a reason when it cannot be used, undefined when registered. */
function probeNode(tf: Tf): Promise<string | undefined> {
  nodeProbe ??= (async () => {
    const specifier: string = NODE_PACKAGE;
    try {
      await loadCommonJs(specifier);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return `${NODE_PACKAGE} is not installed`;
      return `${NODE_PACKAGE} is installed but failed to load: ${(e as Error).message}`;
    }
    if (!tf.findBackendFactory("tensorflow")) return `${NODE_PACKAGE} registered its backend in another copy of @tensorflow/tfjs-core (align the versions)`;
    return undefined;
  })();
  return nodeProbe;
}

/** Register the WASM backend's binaries (once): SIMD when the runtime has it, one thread. */
function initWasm(): Promise<boolean> {
  wasmInit ??= (async () => {
    const wasm = await loadCommonJs<typeof import("@tensorflow/tfjs-backend-wasm")>("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    // The package's dist folder holds tfjs-backend-wasm{,-simd,-threaded-simd}.wasm; Node reads them by path.
    const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
    wasm.setWasmPaths(`${dist}/`);
    wasm.setThreadsCount(1);
    return true;
  })();
  return wasmInit;
}

/**
 * Make `name` the active TF.js backend and return it with the `tf` namespace.
 * @example
 * ```ts
 * const { tf, backend } = await useBackend("auto"); // "tensorflow" with tfjs-node installed, else "wasm"
 * ```
 */
export async function useBackend(name: BackendName = "auto"): Promise<BackendInfo> {
  const tf = await loadTf();
  const notes: string[] = [];
  const activate = async (b: "tensorflow" | "wasm" | "cpu"): Promise<boolean> => {
    if (tf.getBackend() === b && tf.findBackend(b)) return true;
    if (b === "wasm") await initWasm();
    // The pure-JS backend prints a "install tfjs-node" banner on first use; Koan logs the backend choice instead.
    if (b === "cpu") tf.env().set("PROD", true);
    try {
      const ok = await tf.setBackend(b);
      if (ok) await tf.ready();
      return ok && tf.getBackend() === b;
    } catch (e) {
      notes.push(`backend ${b} failed to start: ${(e as Error).message}`);
      return false;
    }
  };
  if (name === "auto") {
    const why = await probeNode(tf);
    if (why === undefined && (await activate("tensorflow"))) return { tf, backend: "tensorflow", notes };
    if (why !== undefined) notes.push(why);
    if (await activate("wasm")) return { tf, backend: "wasm", notes };
    if (await activate("cpu")) return { tf, backend: "cpu", notes };
  } else if (name === "tensorflow") {
    const why = await probeNode(tf);
    if (why !== undefined) throw new KoanError("USAGE", `backend "tensorflow" is not available: ${why}`, { hint: `npm install ${NODE_PACKAGE}, or use backend "auto"` });
    if (await activate("tensorflow")) return { tf, backend: "tensorflow", notes };
  } else if (name === "wasm" || name === "cpu") {
    if (await activate(name)) return { tf, backend: name, notes };
  } else {
    throw new KoanError("USAGE", `unknown TF.js backend "${String(name)}"`, { hint: "use auto, tensorflow, wasm or cpu" });
  }
  throw new KoanError("INTERNAL", `TF.js backend "${name}" could not be started: ${notes.join("; ") || "unknown reason"}`);
}
