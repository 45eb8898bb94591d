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
   * Write the framed records of rows `first, first + step, ...` (below `rows`) of the `count` column descriptors at
   * `columns` at `out`, in one pass; returns the bytes written. `out` must have room for the bound that
   * `ExampleChunkEncoder.load` computes.
   */
  encode(columns: number, count: number, rows: number, first: number, step: number, out: number): number;
}

/** A new, initialised instance of the kernel. */
export function chunkKernel(): ChunkKernelExports {
  const exports = instantiateKernel<ChunkKernelExports>(WASM_BASE64);
  exports.init();
  return exports;
}
