/**
 * Test helpers for the data-format tests: where `../shared` is, whether to skip, a temp folder, and an
 * independent (bit-by-bit) CRC-32C used to check Koan's output without Koan's code.
 * @module
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (tests run from dist/test/data/). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The shared fixtures folder, `../shared` from the repository root. */
export const SHARED = join(REPO_ROOT, "..", "shared");

/** `false`, or the reason to skip tests that need `../shared`. */
export const SKIP_WITHOUT_SHARED: false | string = existsSync(SHARED) ? false : "../shared absent";

/** A path under `../shared/fixtures`. */
export function fixture(...parts: string[]): string {
  return join(SHARED, "fixtures", ...parts);
}

/** Every file under `dir`, recursively, sorted. */
export function walkFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walkFiles(path));
    else out.push(path);
  }
  return out;
}

/** Runs `fn` with a fresh temporary folder, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "koan-data-test-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** CRC-32C computed bit by bit from the polynomial: independent of Koan's table-driven implementation. */
export function referenceCrc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC, written out from the format description. */
export function referenceMaskedCrc(data: Uint8Array): number {
  const crc = referenceCrc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** Splits raw TFRecord bytes into records, checking every CRC with {@link referenceMaskedCrc}. */
export function parseFramesIndependently(bytes: Uint8Array): Uint8Array[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 12) throw new Error(`truncated header at ${pos}`);
    const length = Number(view.getBigUint64(pos, true));
    if (view.getUint32(pos + 8, true) !== referenceMaskedCrc(bytes.subarray(pos, pos + 8))) throw new Error(`bad length crc at ${pos}`);
    const data = bytes.subarray(pos + 12, pos + 12 + length);
    if (data.length !== length || bytes.length < pos + 16 + length) throw new Error(`truncated record at ${pos}`);
    if (view.getUint32(pos + 12 + length, true) !== referenceMaskedCrc(data)) throw new Error(`bad data crc at ${pos}`);
    records.push(data);
    pos += 16 + length;
  }
  return records;
}

/** A deterministic pseudo-random byte generator (xorshift32). */
export function pseudoRandomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
