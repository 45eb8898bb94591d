/**
 * The `gcs` flavor's request construction and error handling, against the recording fake of the GCS JSON API
 * (no GCS emulator is installable here; what this can and cannot show is in docs/artifact-stores.md).
 */
import "./no-cloud.js";
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { Readable } from "node:stream";
import { createComponent } from "../../src/core/flavor.js";
import { isKoanError, type KoanError } from "../../src/core/errors.js";
import type { RemoteArtifactStore } from "../../src/stores/artifact/remote/store.js";
import { readBlob } from "../../src/stores/artifact/verify.js";
import "../../src/stores/flavors.js";
import { FakeGcs, type RecordedRequest } from "./fake-gcs.js";
import { closedPort } from "./servers.js";

const fake = new FakeGcs(["koan"]);
before(() => fake.start());
after(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  fake.refuse = undefined;
  fake.beforeFinalize = undefined;
});

const sha = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

async function store(over: Record<string, unknown> = {}): Promise<RemoteArtifactStore> {
  return createComponent<RemoteArtifactStore>(
    "artifact-store",
    "gcs",
    { bucket: "koan", prefix: `gcs-test/${randomBytes(4).toString("hex")}`, endpoint: fake.endpoint, anonymous: true, retries: 0, resumableThresholdMiB: 1, listPageSize: 10, ...over },
    { projectDir: process.cwd() },
  );
}

/** What a recorded request is, in GCS JSON API terms. */
function kind(r: RecordedRequest): string {
  if (r.path.startsWith("/upload/") && r.query.uploadType === "multipart") return "upload:multipart";
  if (r.path.startsWith("/upload/") && r.query.upload_id) return "upload:resumable-put";
  if (r.path.startsWith("/upload/") && r.query.uploadType === "resumable") return "upload:resumable-start";
  if (/\/o$/.test(r.path) && r.method === "GET") return "objects.list";
  if (r.method === "GET" && r.query.alt === "media") return "objects.get(media)";
  if (r.method === "GET") return "objects.get";
  if (r.method === "DELETE") return "objects.delete";
  return `${r.method} ${r.path}`;
}
const kinds = (): string[] => fake.requests.map(kind);
/** Requests that name object `name` (in the path or as the upload's name). */
const naming = (name: string): RecordedRequest[] => fake.requests.filter((r) => r.query.name === name || decodeURIComponent(r.path).endsWith(`/o/${name}`));

test("gcs: a small blob is one create-only multipart upload to the bucket, named <prefix>/sha256/ab/<hash>", async () => {
  const s = await store({ prefix: "team/artifacts" });
  try {
    const ref = await s.put(Buffer.from("small blob"));
    assert.equal(s.uri, "gs://koan/team/artifacts");
    assert.deepEqual(kinds(), ["objects.get", "objects.list", "upload:multipart"]);
    const up = fake.requests[2] as RecordedRequest;
    assert.equal(up.method, "POST");
    assert.equal(up.path, "/upload/storage/v1/b/koan/o");
    assert.equal(up.query.name, `team/artifacts/sha256/${ref.hash.slice(0, 2)}/${ref.hash}`);
    assert.equal(up.query.ifGenerationMatch, "0");
    assert.ok(fake.names("koan").includes(`team/artifacts/sha256/${ref.hash.slice(0, 2)}/${ref.hash}`));
  } finally {
    await s.close();
  }
});

test("gcs: a large blob is a resumable upload that declares its total size, finalised by its last request", async () => {
  const s = await store();
  try {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const ref = await s.put(Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    const seq = kinds().filter((k) => k !== "objects.list");
    assert.deepEqual(seq.slice(0, 2), ["objects.get", "upload:resumable-start"]);
    assert.ok(seq.slice(2).every((k) => k === "upload:resumable-put") && seq.length > 2, seq.join(","));
    const start = fake.requests.find((r) => kind(r) === "upload:resumable-start") as RecordedRequest;
    assert.equal(start.query.name, s.keyOf(ref.hash));
    assert.equal(start.query.ifGenerationMatch, "0");
    assert.equal(start.headers["x-upload-content-length"], String(data.length));
    for (const p of fake.requests.filter((r) => kind(r) === "upload:resumable-put")) assert.match(String(p.headers["content-range"]), new RegExp(`/${data.length}$`));
    assert.equal(fake.openSessions(), 0);
    assert.deepEqual(await readBlob(s, ref.hash), data);
  } finally {
    await s.close();
  }
});

test("gcs: nothing is sent for an object before its source has ended, and nothing at all for a failing source", async () => {
  const s = await store();
  try {
    const first = Buffer.alloc(300_000, 1);
    const second = Buffer.alloc(300_000, 2);
    const name = s.keyOf(sha(Buffer.concat([first, second])));
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const atGate = new Promise<void>((r) => (reached = r));
    const putting = s.put(
      (async function* () {
        yield first;
        reached();
        await gate;
        yield second;
      })(),
    );
    await atGate;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(naming(name).length, 0);
    release();
    await putting;
    assert.ok(naming(name).some((r) => kind(r) === "upload:multipart"));

    fake.requests.length = 0;
    async function* broken(): AsyncIterable<Uint8Array> {
      yield Buffer.from("partial");
      throw new Error("source broke");
    }
    await assert.rejects(s.put(broken()), /source broke/);
    assert.equal(fake.requests.length, 0);
  } finally {
    await s.close();
  }
});

test("gcs: a resumable upload that fails midway leaves no object", async () => {
  const s = await store();
  try {
    const data = randomBytes(2 * 1024 * 1024);
    fake.refuse = (r) => (kind(r) === "upload:resumable-put" ? { status: 503, message: "Service Unavailable" } : undefined);
    await assert.rejects(s.put(Readable.from([data])), (e) => isKoanError(e, "STORE_UNAVAILABLE") && e.message.includes("gs://koan/"));
    fake.refuse = undefined;
    assert.equal(await s.exists(sha(data)), false);
    assert.ok(!fake.names("koan").includes(s.keyOf(sha(data))));
  } finally {
    await s.close();
  }
});

test("gcs: content already stored is not sent again; a lost create-only race (412) counts as stored", async () => {
  const s = await store();
  try {
    const data = Buffer.from("stored once");
    await s.put(data);
    fake.requests.length = 0;
    await s.put(Readable.from([data]));
    assert.deepEqual(kinds(), ["objects.get"]);

    const other = Buffer.from("someone else writes this first");
    fake.beforeFinalize = (bucket, name) => {
      fake.beforeFinalize = undefined;
      fake.write(bucket, name, other);
    };
    const ref = await s.put(other);
    assert.equal(ref.hash, sha(other));
    assert.deepEqual(await readBlob(s, ref.hash), other);
  } finally {
    await s.close();
  }
});

test("gcs: get reads the generation it found; list pages with maxResults and pageToken; check lists one key", async () => {
  const s = await store();
  try {
    const ref = await s.put(Buffer.from("read me"));
    for (let i = 0; i < 12; i++) await s.put(Buffer.from(`page filler ${i}`));
    fake.requests.length = 0;
    const chunks: Buffer[] = [];
    for await (const c of await s.get(ref.hash, { verify: true })) chunks.push(c as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "read me");
    assert.deepEqual(kinds(), ["objects.get", "objects.get(media)"]);
    assert.ok(fake.requests[1]?.query.generation, "the media request pins a generation");

    fake.requests.length = 0;
    let n = 0;
    for await (const _ of s.list()) n++;
    assert.equal(n, 13);
    const lists = fake.requests.filter((r) => kind(r) === "objects.list");
    assert.equal(lists.length, 2);
    assert.equal(lists[0]?.query.maxResults, "10");
    assert.equal(lists[0]?.query.prefix, s.keyOf(ref.hash).replace(/[0-9a-f]{2}\/[0-9a-f]{64}$/, ""));
    assert.ok(lists[1]?.query.pageToken);

    fake.requests.length = 0;
    await s.check();
    assert.deepEqual(kinds(), ["objects.list"]);
    assert.equal(fake.requests[0]?.query.maxResults, "1");
  } finally {
    await s.close();
  }
});

/** Every operation fails with `code`, naming the store, showing none of `secrets`. */
async function everyCallFails(s: RemoteArtifactStore, check: (e: KoanError) => void, secrets: readonly string[] = []): Promise<void> {
  const hash = sha(Buffer.from("x"));
  const calls: (() => Promise<unknown>)[] = [
    () => s.put(Buffer.from("x")),
    () => s.exists(hash),
    () => s.get(hash),
    async () => {
      for await (const _ of s.list()) void _;
    },
    () => s.check(),
  ];
  for (const call of calls) {
    await assert.rejects(call(), (e) => {
      assert.ok(isKoanError(e), inspect(e));
      assert.ok(e.message.includes(s.uri), e.message);
      check(e);
      const shown = [e.message, JSON.stringify(e.toJSON()), inspect(e, { depth: 8 }), String(e.stack)].join("\n");
      for (const secret of secrets) assert.ok(!shown.includes(secret), "a credential is shown");
      return true;
    });
  }
}

test("gcs: a missing bucket (404) is CONFIG_INVALID naming the bucket", async () => {
  const s = await store({ bucket: "no-such-bucket" });
  try {
    await everyCallFails(s, (e) => {
      assert.equal(e.code, "CONFIG_INVALID");
      assert.match(e.message, /bucket "no-such-bucket" does not exist/);
      assert.equal(e.details.reason, "bucket-missing");
    });
  } finally {
    await s.close();
  }
});

test("gcs: 403 and 401 answers are STORE_UNAVAILABLE (access refused) and never show the configured key", async () => {
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${randomBytes(48).toString("base64")}\n-----END PRIVATE KEY-----\n`;
  process.env.KOAN_TEST_GCS_KEY = JSON.stringify({ type: "service_account", client_email: "koan@example.iam.gserviceaccount.com", private_key: privateKey, private_key_id: "k1" });
  for (const status of [403, 401]) {
    const s = await store({ credentials: "env:KOAN_TEST_GCS_KEY" });
    try {
      // A server that echoes what it was sent must still not make Koan show a credential.
      fake.refuse = () => ({ status, message: `koan@example.iam.gserviceaccount.com does not have storage.objects.list access (key ${privateKey})` });
      await everyCallFails(
        s,
        (e) => {
          assert.equal(e.code, "STORE_UNAVAILABLE");
          assert.equal(e.details.reason, "denied");
          assert.match(e.message, new RegExp(`refused \\(${status}\\)`));
          assert.match(e.hint ?? "", /credentials/);
        },
        [privateKey, (privateKey.split("\n")[1] as string).slice(0, 40)],
      );
    } finally {
      fake.refuse = undefined;
      await s.close();
    }
  }
});

test("gcs: a refused connection is STORE_UNAVAILABLE (unreachable), naming the endpoint", async () => {
  const port = await closedPort();
  const s = await store({ endpoint: `http://127.0.0.1:${port}` });
  try {
    await everyCallFails(s, (e) => {
      assert.equal(e.code, "STORE_UNAVAILABLE");
      assert.equal(e.details.reason, "unreachable");
      assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    });
  } finally {
    await s.close();
  }
});

test("gcs: config is validated (anonymous needs an endpoint; unknown fields are refused)", async () => {
  const ctx = { projectDir: process.cwd() };
  await assert.rejects(createComponent("artifact-store", "gcs", { bucket: "koan", anonymous: true }, ctx), (e) => isKoanError(e, "CONFIG_INVALID") && /anonymous/.test(e.message));
  await assert.rejects(createComponent("artifact-store", "gcs", { bucket: "koan", region: "eu" }, ctx), (e) => isKoanError(e, "CONFIG_INVALID"));
  await assert.rejects(createComponent("artifact-store", "gcs", { bucket: "Bad/Name" }, ctx), (e) => isKoanError(e, "CONFIG_INVALID"));
  process.env.KOAN_TEST_GCS_NOT_JSON = "this is not json";
  await assert.rejects(
    createComponent("artifact-store", "gcs", { bucket: "koan", credentials: "env:KOAN_TEST_GCS_NOT_JSON" }, ctx),
    (e) => isKoanError(e, "CONFIG_INVALID") && !e.message.includes("this is not json"),
  );
});
