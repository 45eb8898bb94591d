/**
 * The `azure` flavor beyond the shared suite, on one Azurite behind a recording proxy: the request sequence of
 * uploads (one create-only Put Blob, or Put Block per block and one create-only Put Block List last), nothing
 * visible when a block fails, SAS and account-key credentials from `env:` references, no credential in errors.
 */
import "./no-cloud.js";
import { after, before, beforeEach, test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { Readable } from "node:stream";
import { AccountSASPermissions, AccountSASResourceTypes, AccountSASServices, BlobServiceClient, generateAccountSASQueryParameters, StorageSharedKeyCredential } from "@azure/storage-blob";
import { createComponent } from "../../src/core/flavor.js";
import { isKoanError } from "../../src/core/errors.js";
import type { RemoteArtifactStore } from "../../src/stores/artifact/remote/store.js";
import { readBlob } from "../../src/stores/artifact/verify.js";
import "../../src/stores/flavors.js";
import { RecordingProxy } from "./recording-proxy.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type AzuriteServer } from "./servers.js";

let server: AzuriteServer;
let proxy: RecordingProxy;

before(async () => {
  server = await startAzurite();
  await BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient("koan").create();
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
  process.env.KOAN_TEST_AZURE_KEY = AZURITE_KEY;
  return createComponent<RemoteArtifactStore>(
    "artifact-store",
    "azure",
    {
      account: AZURITE_ACCOUNT,
      container: "koan",
      prefix: `azure-test/${randomBytes(4).toString("hex")}`,
      endpoint: `${proxy.endpoint}/${AZURITE_ACCOUNT}`,
      accountKey: "env:KOAN_TEST_AZURE_KEY",
      singleShotMiB: 4,
      blockSizeMiB: 2,
      retries: 0,
      ...over,
    },
    { projectDir: process.cwd() },
  );
}

function kind(r: { method: string; query: Record<string, string> }): string {
  if (r.method === "PUT" && r.query.comp === "block") return "PutBlock";
  if (r.method === "PUT" && r.query.comp === "blocklist") return "PutBlockList";
  if (r.method === "PUT") return "PutBlob";
  if (r.method === "HEAD") return "GetProperties";
  if (r.method === "GET" && r.query.comp === "list") return "ListBlobs";
  if (r.method === "GET") return "GetBlob";
  if (r.method === "DELETE") return "DeleteBlob";
  return `${r.method} ${JSON.stringify(r.query)}`;
}

test("azure: a small blob is one create-only Put Blob under <prefix>/sha256/ab/<hash>", async () => {
  const s = await store({ prefix: "team/artifacts" });
  try {
    const ref = await s.put(Buffer.from("small blob"));
    assert.equal(s.uri, `${proxy.endpoint}/${AZURITE_ACCOUNT}/koan/team/artifacts`);
    const kinds = proxy.requests.map(kind);
    assert.deepEqual(kinds, ["GetProperties", "ListBlobs", "PutBlob"]);
    const put = proxy.requests[2];
    assert.equal(put?.path, `/${AZURITE_ACCOUNT}/koan/team/artifacts/sha256/${ref.hash.slice(0, 2)}/${ref.hash}`);
    assert.equal(put?.headers["if-none-match"], "*");
  } finally {
    await s.close();
  }
});

test("azure: a large blob is staged blocks and one create-only Put Block List, last", async () => {
  const s = await store();
  try {
    const data = randomBytes(9 * 1024 * 1024);
    const ref = await s.put(Readable.from([data]));
    const kinds = proxy.requests.map(kind).filter((k) => k !== "ListBlobs");
    assert.deepEqual(kinds, ["GetProperties", "PutBlock", "PutBlock", "PutBlock", "PutBlock", "PutBlock", "PutBlockList"]);
    assert.equal(proxy.requests.at(-1)?.headers["if-none-match"], "*");
    assert.deepEqual(await readBlob(s, ref.hash), data);
  } finally {
    await s.close();
  }
});

test("azure: a failed block leaves nothing visible", async () => {
  const s = await store();
  try {
    const data = randomBytes(9 * 1024 * 1024);
    let blocks = 0;
    proxy.fail = (r) => (kind(r) === "PutBlock" && ++blocks === 3 ? 500 : undefined);
    await assert.rejects(s.put(Readable.from([data])), (e) => isKoanError(e, "STORE_UNAVAILABLE") && e.message.includes(s.uri));
    assert.ok(!proxy.requests.map(kind).includes("PutBlockList"));
    proxy.fail = undefined;
    assert.equal(await s.exists(sha(data)), false);
    for await (const r of s.list()) assert.notEqual(r.hash, sha(data));
  } finally {
    await s.close();
  }
});

test("azure: a create-only write that finds the blob already there counts as stored", async () => {
  const s = await store();
  try {
    const data = Buffer.from("written by someone else first");
    const direct = BlobServiceClient.fromConnectionString(server.connectionString).getContainerClient("koan").getBlockBlobClient(s.keyOf(sha(data)));
    // Another writer stores the same blob between our existence check and our upload.
    proxy.before = async (r) => {
      if (kind(r) === "PutBlob") await direct.uploadData(data);
    };
    const ref = await s.put(data);
    assert.equal(ref.hash, sha(data));
    const put = proxy.requests.find((r) => kind(r) === "PutBlob");
    assert.equal(put?.status, 409);
    assert.deepEqual(await readBlob(s, ref.hash), data);
  } finally {
    await s.close();
  }
});

test("azure: a SAS token from an env: reference works, and errors never show it", async () => {
  const cred = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const sas = generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 3_600_000),
      permissions: AccountSASPermissions.parse("rwdlc"),
      resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
      services: AccountSASServices.parse("b").toString(),
    },
    cred,
  ).toString();
  process.env.KOAN_TEST_AZURE_SAS = sas;
  const s = await store({ account: undefined, accountKey: undefined, sasToken: "env:KOAN_TEST_AZURE_SAS" });
  try {
    await s.check();
    const ref = await s.put(Buffer.from("via SAS"));
    assert.equal(await s.exists(ref.hash), true);
    assert.ok(!s.uri.includes("sig="));
  } finally {
    await s.close();
  }
  const missing = await store({ account: undefined, accountKey: undefined, sasToken: "env:KOAN_TEST_AZURE_SAS", container: "not-there" });
  try {
    await assert.rejects(missing.put(Buffer.from("x")), (e) => {
      assert.ok(isKoanError(e, "CONFIG_INVALID"));
      const sig = new URLSearchParams(sas).get("sig") as string;
      const shown = [e.message, JSON.stringify(e.toJSON()), inspect(e, { depth: 8 }), String(e.stack)].join("\n");
      assert.ok(!shown.includes(sig) && !shown.includes(encodeURIComponent(sig)), "the SAS signature is not shown");
      assert.match(e.message, /container "not-there" does not exist/);
      return true;
    });
  } finally {
    await missing.close();
  }
});

test("azure: config needs an account, endpoint or connection string, and at most one credential", async () => {
  const ctx = { projectDir: process.cwd() };
  await assert.rejects(createComponent("artifact-store", "azure", { container: "koan" }, ctx), (e) => isKoanError(e, "CONFIG_INVALID"));
  await assert.rejects(
    createComponent("artifact-store", "azure", { container: "koan", account: "acct", accountKey: "env:A", sasToken: "env:B" }, ctx),
    (e) => isKoanError(e, "CONFIG_INVALID") && /at most one/.test(e.message),
  );
  await assert.rejects(createComponent("artifact-store", "azure", { container: "Bad_Name", account: "acct" }, ctx), (e) => isKoanError(e, "CONFIG_INVALID"));
  await assert.rejects(
    createComponent("artifact-store", "azure", { container: "koan", connectionString: "not a connection string" }, ctx),
    (e) => isKoanError(e, "CONFIG_INVALID") && !e.message.includes("not a connection string"),
  );
});
