/**
 * The WebAssembly Example chunk kernel (chunk-kernel.c, built by scripts/build-wasm.js into chunk-kernel.wasm.ts):
 * compiled once per process, one instance (and linear memory) per user, so encoders never share memory.
 * @module
 */
import { WASM_BASE64 } from "./chunk-kernel.wasm.js";

/** The part of the global `WebAssembly` API used here (its types are in TypeScript's DOM library only). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** A linear memory. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Add `pages` pages of 64 KiB; detaches every view of the old buffer. */
  grow(pages: number): number;
}

/** What the kernel exports. Pointers are byte offsets into `memory`. */
export interface ChunkKernelExports {
  readonly memory: WasmMemory;
  /** First free byte after the kernel's own data. */
  readonly __heap_base: { readonly value: number };
  init(): void;
  /** TFRecord's masked CRC-32C of `length` bytes at `ptr`, as a signed int32 (`>>> 0` gives the uint32). */
  maskedCrc32c(ptr: number, length: number): number;
  /**
   * Bytes the framed records of rows `first, first + step, ...` (below `rows`) of the `count` column descriptors
   * at `columns` take; each record's features size goes to the uint32s at `sizes`.
   */
  measure(columns: number, count: number, rows: number, first: number, step: number, sizes: number): number;
  /** Write the records {@link measure} measured (same arguments) at `out`; returns the bytes written. */
  encode(columns: number, count: number, rows: number, first: number, step: number, sizes: number, out: number): number;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let compiled: object | undefined;

/** A new, initialised instance of the kernel (the module is compiled on first use). */
export function chunkKernel(): ChunkKernelExports {
  compiled ??= new wasm.Module(Buffer.from(WASM_BASE64, "base64"));
  const exports = new wasm.Instance(compiled, {}).exports as ChunkKernelExports;
  exports.init();
  return exports;
}
