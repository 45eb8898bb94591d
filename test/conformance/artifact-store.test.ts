/**
 * Runs the artifact store conformance suite for every flavor selected by KOAN_FLAVORS (default: all):
 * `local` in temp folders, `s3` on s3rver, `azure` on Azurite (each server started once for this file, on
 * 127.0.0.1), and `gcs` on a recording fake of its JSON API (no GCS emulator can be installed here; see
 * docs/artifact-stores.md and test/stores-artifact/gcs.test.ts).
 */
import "../stores-artifact/no-cloud.js";
import { after } from "node:test";
import { randomBytes } from "node:crypto";
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LocalArtifactStore } from "../../src/stores/artifact/local/store.js";
import type { RemoteArtifactStore } from "../../src/stores/artifact/remote/store.js";
import { createComponent } from "../../src/core/flavor.js";
import "../../src/stores/flavors.js";
import { tempDir } from "../helpers.js";
import { artifactStoreConformance } from "./artifact-store.cases.js";
import { selected } from "./select.js";
import { AZURITE_ACCOUNT, AZURITE_KEY, closedPort, once, startAzurite, startS3rver } from "../stores-artifact/servers.js";
import { FakeGcs } from "../stores-artifact/fake-gcs.js";

const ctx = { projectDir: process.cwd() };
const open = (flavor: string, config: Record<string, unknown>): Promise<RemoteArtifactStore> => createComponent<RemoteArtifactStore>("artifact-store", flavor, config, ctx);
/** A fresh, empty store: a new prefix in the shared bucket. */
const freshPrefix = (): string => `conformance/${randomBytes(6).toString("hex")}`;

if (selected("local")) {
  const dirs: (() => Promise<void>)[] = [];
  after(async () => Promise.all(dirs.map((c) => c())));
  artifactStoreConformance({
    flavor: "local",
    async open() {
      const { dir, cleanup } = await tempDir();
      dirs.push(cleanup);
      return LocalArtifactStore.open({ path: join(dir, "artifacts") });
    },
    async corrupt(store, hash) {
      const path = store.localPath?.(hash) as string;
      await chmod(path, 0o644);
      await writeFile(path, "tampered");
    },
    cleanup: async () => undefined,
  });
}

if (selected("s3")) {
  const server = once(() => startS3rver(["koan"]));
  server().catch(() => undefined); // start now, in parallel with the other servers; failures surface in the cases
  after(async () => (await server()).stop());
  const config = async (over: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
    const s = await server();
    return { bucket: "koan", prefix: freshPrefix(), endpoint: s.endpoint, credentials: s.credentials, partSizeMiB: 5, listPageSize: 10, ...over };
  };
  artifactStoreConformance({
    flavor: "s3",
    against: "s3rver",
    open: async () => open("s3", await config()),
    async corrupt(store, hash) {
      // Overwrite the object behind the store's back, through the SDK.
      const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
      const s = await server();
      const client = new S3Client({ endpoint: s.endpoint, region: "us-east-1", forcePathStyle: true, credentials: s.credentials });
      const key = (store as RemoteArtifactStore).keyOf(hash);
      await client.send(new PutObjectCommand({ Bucket: "koan", Key: key, Body: Buffer.from("tampered") }));
      client.destroy();
    },
    broken: {
      missingBucket: async () => open("s3", await config({ bucket: "no-such-bucket" })),
      badCredentials: async () => open("s3", await config({ credentials: { accessKeyId: "NOT-A-KEY-ID", secretAccessKey: "wrong-secret-0123456789" } })),
      unreachable: async () => open("s3", await config({ endpoint: `http://127.0.0.1:${await closedPort()}`, retries: 0 })),
    },
    secrets: ["wrong-secret-0123456789"],
    cleanup: async () => undefined,
  });
}

if (selected("azure")) {
  const server = once(async () => {
    const s = await startAzurite();
    const { BlobServiceClient } = await import("@azure/storage-blob");
    await BlobServiceClient.fromConnectionString(s.connectionString).getContainerClient("koan").create();
    return s;
  });
  server().catch(() => undefined);
  after(async () => (await server()).stop());
  const WRONG_KEY = Buffer.from("a wrong account key, 64 bytes long, for the refused-credentials case").toString("base64");
  const config = async (over: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
    const s = await server();
    return { container: "koan", prefix: freshPrefix(), connectionString: s.connectionString, singleShotMiB: 8, blockSizeMiB: 4, listPageSize: 10, ...over };
  };
  artifactStoreConformance({
    flavor: "azure",
    against: "azurite",
    open: async () => open("azure", await config()),
    async corrupt(store, hash) {
      const { BlobServiceClient } = await import("@azure/storage-blob");
      const s = await server();
      const blob = BlobServiceClient.fromConnectionString(s.connectionString).getContainerClient("koan").getBlockBlobClient((store as RemoteArtifactStore).keyOf(hash));
      await blob.uploadData(Buffer.from("tampered"));
    },
    broken: {
      missingBucket: async () => open("azure", await config({ container: "no-such-container" })),
      badCredentials: async () => {
        const s = await server();
        return open("azure", await config({ connectionString: undefined, endpoint: s.endpoint, account: AZURITE_ACCOUNT, accountKey: WRONG_KEY }));
      },
      unreachable: async () =>
        open("azure", await config({ connectionString: undefined, endpoint: `http://127.0.0.1:${await closedPort()}/${AZURITE_ACCOUNT}`, account: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, retries: 0 })),
    },
    secrets: [WRONG_KEY, AZURITE_KEY],
    cleanup: async () => undefined,
  });
}

if (selected("gcs")) {
  const fake = new FakeGcs(["koan"]);
  const endpoint = once(() => fake.start());
  after(() => fake.stop());
  const config = async (over: Record<string, unknown> = {}): Promise<Record<string, unknown>> => ({
    bucket: "koan",
    prefix: freshPrefix(),
    endpoint: await endpoint(),
    anonymous: true,
    retries: 0,
    resumableThresholdMiB: 8,
    listPageSize: 10,
    ...over,
  });
  artifactStoreConformance({
    flavor: "gcs",
    against: "a fake of its JSON API",
    open: async () => open("gcs", await config()),
    async corrupt(store, hash) {
      fake.write("koan", (store as RemoteArtifactStore).keyOf(hash), Buffer.from("tampered"));
    },
    broken: {
      missingBucket: async () => open("gcs", await config({ bucket: "no-such-bucket" })),
      unreachable: async () => open("gcs", await config({ endpoint: `http://127.0.0.1:${await closedPort()}` })),
    },
    gaps: {
      "refused credentials are STORE_UNAVAILABLE, and no error shows a credential":
        "only GCS can refuse a credential: no GCS emulator is installable here and the fake checks none; test/stores-artifact/gcs.test.ts checks that 401/403 answers become STORE_UNAVAILABLE without echoing the key",
    },
    cleanup: async () => undefined,
  });
}
