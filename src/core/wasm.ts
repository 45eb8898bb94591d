/**
 * Instantiating Koan's WebAssembly kernels (C sources built by scripts/build-wasm.js into modules that hold the
 * binary in base64): each module is compiled once per thread, on first use, and every call makes a new instance
 * with its own linear memory. Kernels import nothing.
 * @module
 */

/** The part of the global `WebAssembly` API used here (its types are in TypeScript's DOM library only). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** A kernel's linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Add `pages` pages of 64 KiB; detaches every view of the old buffer. */
  grow(pages: number): number;
}

/** What every kernel exports besides its functions. Pointers are byte offsets into `memory`. */
export interface WasmKernel {
  readonly memory: WasmMemory;
  /** First free byte after the kernel's own data. */
  readonly __heap_base: { readonly value: number };
}

/** Bytes of a WebAssembly memory page. */
const WASM_PAGE = 65536;

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const compiled = new Map<string, object>();

/** A new instance of the kernel whose binary is `base64` (compiled on first use). */
export function instantiateKernel<T extends WasmKernel>(base64: string): T {
  let module = compiled.get(base64);
  if (!module) {
    module = new wasm.Module(Buffer.from(base64, "base64"));
    compiled.set(base64, module);
  }
  return new wasm.Instance(module, {}).exports as T;
}

/** Grow `kernel`'s memory to at least `end` bytes (by half again at least); true when it grew (views are stale). */
export function reserveMemory(kernel: WasmKernel, end: number): boolean {
  const have = kernel.memory.buffer.byteLength;
  if (end <= have) return false;
  kernel.memory.grow(Math.ceil((Math.max(end, have * 1.5) - have) / WASM_PAGE));
  return true;
}
