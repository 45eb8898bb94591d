/**
 * The `s3` flavor beyond the shared suite, on one s3rver behind a recording proxy: the exact request sequence of
 * uploads (one PUT, or a multipart upload completed last and aborted on failure), no request for content already
 * stored or for a failing source, credentials from `env:` references, and check().
 */
import "./no-cloud.js";
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { createComponent } from "../../src/core/flavor.js";
import { isKoanError } from "../../src/core/errors.js";
import type { RemoteArtifactStore } from "../../src/stores/artifact/remote/store.js";
import { readBlob } from "../../src/stores/artifact/verify.js";
import "../../src/stores/flavors.js";
import { RecordingProxy } from "./recording-proxy.js";
import { startS3rver, type S3rverServer } from "./servers.js";

let server: S3rverServer;
let proxy: RecordingProxy;

before(async () => {
  server = await startS3rver(["koan"]);
  proxy = new RecordingProxy(new URL(server.endpoint));
  await proxy.start();
});
after(async () => {
  await proxy.stop();
  await server.stop();
});
beforeEach(() => proxy.reset());

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

async function store(over: Record<string, unknown> = {}): Promise<RemoteArtifactStore> {
  return createComponent<RemoteArtifactStore>(
    "artifact-store",
    "s3",
    { bucket: "koan", prefix: `s3-test/${randomBytes(4).toString("hex")}`, endpoint: proxy.endpoint, credentials: server.credentials, partSizeMiB: 5, retries: 0, ...over },
    { projectDir: process.cwd() },
  );
}

/** What kind of S3 request a proxied request is. */
function kind(r: { method: string; query: Record<string, string> }): string {
  if (r.method === "POST" && "uploads" in r.query) return "CreateMultipartUpload";
  if (r.method === "PUT" && r.query.partNumber) return "UploadPart";
  if (r.method === "POST" && r.query.uploadId) return "CompleteMultipartUpload";
  if (r.method === "DELETE" && r.query.uploadId) return "AbortMultipartUpload";
  if (r.method === "PUT") return "PutObject";
  if (r.method === "HEAD") return "HeadObject";
  if (r.method === "GET" && r.query["list-type"] === "2") return "ListObjectsV2";
  if (r.method === "GET") return "GetObject";
  return `${r.method} ${JSON.stringify(r.query)}`;
}

test("s3: a small blob is one PutObject under <prefix>/sha256/ab/<hash>, after a HEAD", async () => {
  const s = await store({ prefix: "team/artifacts" });
  try {
    const data = Buffer.from("small blob");
    const ref = await s.put(data);
    assert.equal(s.uri, "s3://koan/team/artifacts");
    assert.deepEqual(proxy.requests.map(kind), ["HeadObject", "ListObjectsV2", "PutObject"]);
    const put = proxy.requests[2];
    assert.equal(put?.path, `/koan/team/artifacts/sha256/${ref.hash.slice(0, 2)}/${ref.hash}`);
    assert.equal(put?.headers["content-type"], "application/octet-stream");
  } finally {
    await s.close();
  }
});

test("s3: a large blob is a multipart upload whose CompleteMultipartUpload is the last request", async () => {
  const s = await store();
  try {
    const data = randomBytes(12 * 1024 * 1024);
    const ref = await s.put(Readable.from([data.subarray(0, 7_000_000), data.subarray(7_000_000)]));
    const kinds = proxy.requests.map(kind).filter((k) => k !== "ListObjectsV2");
    assert.deepEqual(kinds, ["HeadObject", "CreateMultipartUpload", "UploadPart", "UploadPart", "UploadPart", "CompleteMultipartUpload"]);
    assert.ok(proxy.requests.every((r) => r.path === `/koan/${s.keyOf(ref.hash)}` || kind(r) === "ListObjectsV2"));
    assert.deepEqual(await readBlob(s, ref.hash), data);
  } finally {
    await s.close();
  }
});

test("s3: a failed part aborts the multipart upload and nothing becomes visible", async () => {
  const s = await store();
  try {
    const data = randomBytes(11 * 1024 * 1024);
    proxy.fail = (r) => (kind(r) === "UploadPart" && r.query.partNumber === "2" ? 500 : undefined);
    await assert.rejects(s.put(Readable.from([data])), (e) => isKoanError(e, "STORE_UNAVAILABLE") && e.message.includes(s.uri));
    const kinds = proxy.requests.map(kind);
    assert.ok(!kinds.includes("CompleteMultipartUpload"), kinds.join(","));
    assert.ok(kinds.includes("AbortMultipartUpload"), kinds.join(","));
    proxy.fail = undefined;
    assert.equal(await s.exists(sha(data)), false);
    for await (const r of s.list()) assert.notEqual(r.hash, sha(data));
  } finally {
    await s.close();
  }
});

test("s3: content already stored is not sent again, and a failing source sends nothing", async () => {
  const s = await store();
  try {
    const data = randomBytes(100_000);
    await s.put(data);
    proxy.reset();
    await s.put(Readable.from([data]));
    assert.deepEqual(proxy.requests.map(kind), ["HeadObject"]);
    proxy.reset();
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from("some bytes");
      throw new Error("source broke");
    }
    await assert.rejects(s.put(broken()), /source broke/);
    assert.equal(proxy.requests.length, 0);
  } finally {
    await s.close();
  }
});

test("s3: get streams the object; delete is idempotent; check() lists one key", async () => {
  const s = await store();
  try {
    const ref = await s.put(Buffer.from("stream me"));
    proxy.reset();
    const chunks: Buffer[] = [];
    for await (const c of await s.get(ref.hash, { verify: true })) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "stream me");
    assert.deepEqual(proxy.requests.map(kind), ["GetObject"]);
    await s.delete(ref.hash);
    await s.delete(ref.hash);
    proxy.reset();
    await s.check();
    assert.deepEqual(proxy.requests.map(kind), ["ListObjectsV2"]);
    assert.equal(proxy.requests[0]?.query["max-keys"], "1");
    assert.equal(proxy.requests[0]?.query.prefix, `${s.keyOf(ref.hash).split("/sha256/")[0]}/sha256/`);
  } finally {
    await s.close();
  }
});

test("s3: credentials may come from env: references, and a missing variable is CONFIG_INVALID naming it", async () => {
  process.env.KOAN_TEST_S3_KEY_ID = server.credentials.accessKeyId;
  process.env.KOAN_TEST_S3_SECRET = server.credentials.secretAccessKey;
  const s = await store({ credentials: { accessKeyId: "env:KOAN_TEST_S3_KEY_ID", secretAccessKey: "env:KOAN_TEST_S3_SECRET" } });
  try {
    await s.check();
    const ref = await s.put(Buffer.from("via env"));
    assert.equal(await s.exists(ref.hash), true);
  } finally {
    await s.close();
  }
  await assert.rejects(store({ credentials: { accessKeyId: "env:KOAN_TEST_S3_UNSET", secretAccessKey: "env:KOAN_TEST_S3_SECRET" } }), (e) => {
    assert.ok(isKoanError(e, "CONFIG_INVALID"));
    assert.match(e.message, /KOAN_TEST_S3_UNSET/);
    return true;
  });
  await assert.rejects(store({ credentials: { accessKeyId: "{{secret:team-s3}}", secretAccessKey: "{{secret:team-s3}}" } }), (e) => isKoanError(e, "CONFIG_INVALID") && /team-s3/.test(e.message));
});
