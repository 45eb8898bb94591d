/**
 * Artifact store throughput (issue: Stacks for teams): put and get of 1 MiB and 100 MiB objects on the local
 * store, on s3 against s3rver and on azure against Azurite (both started here on 127.0.0.1 and stopped after),
 * in MiB/s, median of several runs, with ratios against local. Puts stream the object (as `putFile` does: staged,
 * hashed, then uploaded); gets stream it back with hash verification. Every put stores new content.
 */
import "../test/stores-artifact/no-cloud.js";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { createComponent } from "../src/core/flavor.js";
import "../src/stores/flavors.js";
import type { ArtifactStore } from "../src/stores/artifact/types.js";
import { startAzurite, startS3rver } from "../test/stores-artifact/servers.js";
import { figure, median, time } from "./util.js";

const MiB = 1024 * 1024;
const SIZES = [
  { label: "1 MiB", bytes: MiB, runs: 9 },
  { label: "100 MiB", bytes: 100 * MiB, runs: 3 },
];

/** `bytes` of content unlike any other run's (the first 8 bytes carry a counter). */
function content(base: Buffer, bytes: number, n: number): Buffer[] {
  const first = Buffer.from(base.subarray(0, Math.min(MiB, bytes)));
  first.writeDoubleBE(n + Math.random(), 0);
  const chunks: Buffer[] = [first];
  for (let at = MiB; at < bytes; at += MiB) chunks.push(base.subarray(at, Math.min(at + MiB, bytes)));
  return chunks;
}

async function drain(stream: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const c of stream) n += (c as Buffer).length;
  return n;
}

type Result = Record<string, { put: number; get: number }>;

async function measure(store: ArtifactStore, base: Buffer): Promise<Result> {
  const out: Result = {};
  let n = 0;
  for (const size of SIZES) {
    const puts: number[] = [];
    const gets: number[] = [];
    // One warm-up run, not counted.
    for (let i = 0; i <= size.runs; i++) {
      const chunks = content(base, size.bytes, n++);
      let hash = "";
      const tPut = await time(async () => (hash = (await store.put(Readable.from(chunks))).hash));
      let got = 0;
      const tGet = await time(async () => (got = await drain(await store.get(hash, { verify: true }))));
      if (got !== size.bytes) throw new Error(`read ${got} bytes of ${size.bytes}`);
      if (i > 0) {
        puts.push(size.bytes / MiB / (tPut / 1000));
        gets.push(size.bytes / MiB / (tGet / 1000));
      }
    }
    out[size.label] = { put: median(puts), get: median(gets) };
  }
  return out;
}

export async function run(): Promise<void> {
  process.stdout.write(`artifact stores: put (streamed) and get (verified) throughput, MiB/s, median of ${SIZES.map((s) => `${s.runs} (${s.label})`).join(" / ")}\n`);
  const base = randomBytes(100 * MiB);
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-stores-"));
  const ctx = { projectDir: dir };
  const s3 = await startS3rver(["koan"]);
  const azurite = await startAzurite();
  const results: [string, Result][] = [];
  try {
    const { BlobServiceClient } = await import("@azure/storage-blob");
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient("koan").create();
    const subjects: [string, () => Promise<ArtifactStore>][] = [
      ["local", () => createComponent("artifact-store", "local", { path: join(dir, "artifacts") }, ctx)],
      ["s3 (s3rver)", () => createComponent("artifact-store", "s3", { bucket: "koan", prefix: "bench", endpoint: s3.endpoint, credentials: s3.credentials }, ctx)],
      ["azure (azurite)", () => createComponent("artifact-store", "azure", { container: "koan", prefix: "bench", connectionString: azurite.connectionString }, ctx)],
    ];
    for (const [name, open] of subjects) {
      const store = await open();
      try {
        results.push([name, await measure(store, base)]);
      } finally {
        await store.close();
      }
    }
  } finally {
    await s3.stop();
    await azurite.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const local = results[0]?.[1] as Result;
  for (const [name, r] of results) {
    for (const size of SIZES) {
      const x = r[size.label] as { put: number; get: number };
      const l = local[size.label] as { put: number; get: number };
      const vs = (v: number, base: number): string => (name === "local" ? "" : `${(v / base).toFixed(2)}x local`);
      figure(`${name}: put ${size.label}`, x.put, "MiB/s", vs(x.put, l.put));
      figure(`${name}: get ${size.label}`, x.get, "MiB/s", vs(x.get, l.get));
    }
  }
}
