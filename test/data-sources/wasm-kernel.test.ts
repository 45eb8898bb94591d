import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createRng } from "../../src/index.js";
import { chunkKernel } from "../../src/data/example/kernel/chunk-kernel.js";
import { maskedCrc32c } from "../../src/data/tfrecord/crc32c.js";
// @ts-expect-error: a plain JavaScript build script, without types
import { toolchain } from "../../../scripts/build-wasm.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const tools = (toolchain as () => unknown)();

test("the committed WebAssembly kernels are a build of their C sources", { skip: tools ? false : "clang-14 and wasm-ld not installed (apt-get install clang-14 lld-14)" }, () => {
  const r = spawnSync(process.execPath, ["scripts/build-wasm.js", "--check"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

test("the kernel's masked CRC-32C equals the JavaScript one at every length and alignment", () => {
  const kernel = chunkKernel();
  const base = kernel.__heap_base.value;
  kernel.memory.grow(1);
  const memory = new Uint8Array(kernel.memory.buffer);
  const rng = createRng(7);
  for (let i = 0; i < 4096; i++) memory[base + i] = Math.floor(rng.next() * 256);
  for (let start = 0; start < 9; start++) {
    for (let length = 0; length < 300; length++) {
      assert.equal(kernel.maskedCrc32c(base + start, length) >>> 0, maskedCrc32c(memory, base + start, base + start + length), `start ${start} length ${length}`);
    }
  }
  assert.equal(kernel.maskedCrc32c(base, 4000) >>> 0, maskedCrc32c(memory, base, base + 4000));
});
