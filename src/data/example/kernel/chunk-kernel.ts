/**
 * The WebAssembly Example chunk kernel (chunk-kernel.c, built by scripts/build-wasm.js into chunk-kernel.wasm.ts):
 * one instance (and linear memory) per encoder, so encoders never share memory.
 * @module
 */
import { instantiateKernel, type WasmKernel } from "../../../core/wasm.js";
import { WASM_BASE64 } from "./chunk-kernel.wasm.js";

/** What the kernel exports. Pointers are byte offsets into `memory`. */
export interface ChunkKernelExports extends WasmKernel {
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

/** A new, initialised instance of the kernel. */
export function chunkKernel(): ChunkKernelExports {
  const exports = instantiateKernel<ChunkKernelExports>(WASM_BASE64);
  exports.init();
  return exports;
}
