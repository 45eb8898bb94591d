/**
 * fileSource reading from artifact stores: a stored file, a file inside a stored folder, a raw blob, `file://`
 * URLs, and an S3 store (s3rver on 127.0.0.1), all through the artifact store flavors; the hash is the
 * fingerprint, so the same URI is a cache hit without reading anything.
 */
import "../stores-artifact/no-cloud.js";
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Koan, pipeline, step, types, fileSource, Dataset, type RunResult } from "../../src/index.js";
import { createComponent } from "../../src/core/flavor.js";
import { isKoanError } from "../../src/core/errors.js";
import type { ArtifactStore } from "../../src/stores/artifact/types.js";
import "../../src/stores/flavors.js";
import { parseStoredFileUri, sourceFingerprint } from "../../src/steps/sources/source-uri.js";
import { startS3rver, type S3rverServer } from "../stores-artifact/servers.js";
import { tempDir } from "../helpers.js";

const CSV = "x,label\n1.5,a\n2.5,b\nNA,c\n";

let koan: Koan;
let dir: string;
let cleanup: () => Promise<void>;
before(async () => {
  ({ dir, cleanup } = await tempDir());
  koan = await Koan.open({ dir, init: true });
});
after(async () => {
  await koan.close();
  await cleanup();
});

const load = (path: string, extra: Record<string, unknown> = {}) => pipeline({ name: "load_uri", build: () => void fileSource(undefined, { params: { path, ...extra } }) });

async function rowsOf(r: RunResult): Promise<Record<string, unknown>[]> {
  assert.equal(r.status, "succeeded", r.error?.message);
  const ds = (await koan.load(r.outputs.file_source?.dataset as never)) as Dataset;
  const rows: Record<string, unknown>[] = [];
  for await (const row of ds.rows("all", { int64: "number" })) rows.push(row);
  return rows;
}

/** Store a file and a folder as artifacts of a run; returns their recorded URIs. */
async function storedArtifacts(): Promise<{ file: string; folder: string }> {
  const make = step({
    name: "make",
    outputs: { file: types.file(), folder: types.dir() },
    run: async (ctx) => {
      const file = join(ctx.scratchDir, "penguins.csv");
      await writeFile(file, CSV);
      const folder = join(ctx.scratchDir, "splits");
      await mkdir(join(folder, "train"), { recursive: true });
      await writeFile(join(folder, "train", "part.csv"), "x,label\n10,tr\n");
      await writeFile(join(folder, "eval.jsonl"), '{"x": 20, "label": "e"}\n');
      return { file, folder };
    },
  });
  const r = await koan.run(pipeline({ name: "make", build: () => void make() }));
  assert.equal(r.status, "succeeded", r.error?.message);
  const uri = async (port: string): Promise<string> => (await koan.metadata.getArtifact((r.outputs.make?.[port] as { id: string }).id))?.uri as string;
  return { file: await uri("file"), folder: await uri("folder") };
}

test("a stored file artifact, a file in a stored folder, and a raw blob read by their artifact URIs", async () => {
  const { file, folder } = await storedArtifacts();
  assert.match(file, /^file:\/\/.*\/sha256\/[0-9a-f]{64}$/);
  assert.deepEqual(await rowsOf(await koan.run(load(file))), [{ label: "a", x: 1.5 }, { label: "b", x: 2.5 }, { label: "c", x: null }]);
  assert.deepEqual(await rowsOf(await koan.run(load(`${folder}/train/part.csv`))), [{ label: "tr", x: 10 }]);
  assert.deepEqual(await rowsOf(await koan.run(load(`${folder}/eval.jsonl`))), [{ label: "e", x: 20 }]); // format from the stored name
  const blob = await koan.artifacts.put(Buffer.from("a,b\n1,x\n"));
  assert.deepEqual(await rowsOf(await koan.run(load(`${koan.artifacts.uri}/sha256/${blob.hash}`))), [{ a: 1, b: "x" }]);

  // The dataset records where it came from; the same URI again is a cache hit (the hash is the fingerprint).
  const again = await koan.run(load(file));
  assert.equal(again.steps.find((s) => s.step === "file_source")?.cacheHit, true);
  assert.equal(await sourceFingerprint(file), `artifact:sha256:${parseStoredFileUri(file)?.hash}`);
  const ds = (await koan.load(again.outputs.file_source?.dataset as never)) as Dataset;
  assert.equal(ds.manifest.source?.uri, file);
});

test("bad artifact URIs fail with a message naming the URI and what is wrong", async () => {
  const { folder } = await storedArtifacts();
  const missing = `${koan.artifacts.uri}/sha256/${"0".repeat(64)}`;
  const failure = async (path: string): Promise<string> => {
    const r = await koan.run(load(path));
    assert.equal(r.status, "failed");
    return r.error?.message ?? "";
  };
  assert.match(await failure(missing), /holds no blob 0{64}/);
  assert.match(await failure(folder), /a folder of 2 files; name one after the hash/);
  assert.match(await failure(`${folder}/nope.csv`), /holds no file "nope\.csv"/);
  assert.throws(() => parseStoredFileUri(`${folder}/../x.csv`), (e: unknown) => isKoanError(e) && /stay inside it/.test(e.message));
  await assert.rejects(sourceFingerprint("https://example.com/data.csv"), /neither a local path nor an artifact URI/);
});

test("file:// URLs of local files read like paths", async () => {
  const file = join(dir, "local.csv");
  await writeFile(file, CSV);
  assert.equal((await rowsOf(await koan.run(load(pathToFileURL(file).href)))).length, 3);
});

test("a file in an S3 artifact store (s3rver) reads by its s3:// artifact URI", async (t) => {
  let server: S3rverServer;
  try {
    server = await startS3rver(["koan"]);
  } catch (e) {
    t.skip(`s3rver did not start: ${(e as Error).message.split("\n")[0]}`);
    return;
  }
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  try {
    const store = await createComponent<ArtifactStore>("artifact-store", "s3", { bucket: "koan", prefix: "team", endpoint: server.endpoint, credentials: server.credentials, retries: 0 }, { projectDir: dir });
    const ref = await store.put(Buffer.from("city,n\nOslo,1\nDakar,2\n"));
    await store.close();
    // The URI carries the store's options as a query; keys come from the default credential chain.
    process.env.AWS_ACCESS_KEY_ID = server.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.credentials.secretAccessKey;
    const uri = `s3://koan/team/sha256/${ref.hash}?endpoint=${encodeURIComponent(server.endpoint)}&region=us-east-1&forcePathStyle=true`;
    assert.deepEqual(await rowsOf(await koan.run(load(uri))), [{ city: "Oslo", n: 1 }, { city: "Dakar", n: 2 }]);
  } finally {
    if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = saved.id;
    if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    await server.stop();
  }
});
