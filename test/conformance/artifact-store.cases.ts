/**
 * The artifact store conformance suite: every flavor runs these cases (local, s3 on s3rver, azure on Azurite,
 * gcs on a fake of its JSON API). A flavor that cannot meet a case declares it in `gaps` with a reason instead of
 * skipping silently.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { inspect } from "node:util";
import type { ArtifactStore } from "../../src/stores/artifact/types.js";
import { readBlob, checkBlob } from "../../src/stores/artifact/verify.js";
import { isKoanError, type KoanErrorCode } from "../../src/core/errors.js";
import { blobWriter } from "../../src/runner/io.js";
import { tempDir } from "../helpers.js";

/** How a flavor takes part. */
export interface ArtifactStoreSubject {
  flavor: string;
  /** A fresh, empty store. */
  open(): Promise<ArtifactStore>;
  /** Damage a stored blob's bytes (to test corruption detection), if the flavor can. */
  corrupt?(store: ArtifactStore, hash: string): Promise<void>;
  /** Cases this flavor cannot pass, with the reason. */
  gaps?: Record<string, string>;
  /** What the store runs against in this run (shown in test names), e.g. `s3rver`. */
  against?: string;
  /** Stores that must fail cleanly, for flavors that talk to a service. */
  broken?: {
    /** Its bucket/container does not exist. */
    missingBucket?(): Promise<ArtifactStore>;
    /** Its credentials are refused. */
    badCredentials?(): Promise<ArtifactStore>;
    /** Its endpoint does not answer. */
    unreachable?(): Promise<ArtifactStore>;
  };
  /** Credentials the subject uses: no error may contain them. */
  secrets?: readonly string[];
  cleanup(): Promise<void>;
}

/** The reachability check remote flavors offer (`koan stack describe` calls it). */
type Checkable = ArtifactStore & { check?(): Promise<void> };

const sha = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** Every call must reject with `code`, name the store (its URI) and show none of `secrets`. */
async function assertFailsCleanly(store: Checkable, code: KoanErrorCode, secrets: readonly string[]): Promise<void> {
  const hash = sha("anything");
  const calls: [string, () => Promise<unknown>][] = [
    ["put", () => store.put(Buffer.from("anything"))],
    ["put stream", () => store.put(Readable.from([Buffer.from("any"), Buffer.from("thing")]))],
    ["exists", () => store.exists(hash)],
    ["get", () => store.get(hash)],
    ["list", async () => {
      for await (const _ of store.list()) void _;
    }],
  ];
  if (store.check) calls.push(["check", () => (store.check as () => Promise<void>)()]);
  for (const [name, call] of calls) {
    await assert.rejects(call(), (e) => {
      assert.ok(isKoanError(e, code), `${name}: expected ${code}, got ${inspect(e)}`);
      assert.ok(e.message.includes(store.uri), `${name}: the message names the store: ${e.message}`);
      const shown = [e.message, e.hint ?? "", JSON.stringify(e.toJSON()), inspect(e, { depth: 8 }), String(e.stack)].join("\n");
      for (const secret of secrets) assert.ok(!shown.includes(secret), `${name}: the error shows a credential`);
      return true;
    });
  }
}

export function artifactStoreConformance(subject: ArtifactStoreSubject): void {
  const cases: [string, (s: ArtifactStore) => Promise<void>][] = [
    [
      "put bytes returns the SHA-256 and size, and get returns the same bytes",
      async (s) => {
        const data = Buffer.from("hello, koan");
        const ref = await s.put(data);
        assert.equal(ref.hash, sha(data));
        assert.equal(ref.size, data.length);
        assert.deepEqual(await collect(await s.get(ref.hash)), data);
        assert.deepEqual(await readBlob(s, ref.hash), data);
      },
    ],
    [
      "put a stream of many chunks (4 MiB) hashes the whole content",
      async (s) => {
        const chunk = Buffer.alloc(64 * 1024);
        const parts = Array.from({ length: 64 }, (_, i) => Buffer.from(chunk.fill(i)));
        const ref = await s.put(Readable.from(parts));
        const all = Buffer.concat(parts);
        assert.equal(ref.hash, sha(all));
        assert.equal(ref.size, all.length);
        assert.equal((await s.stat(ref.hash))?.size, all.length);
      },
    ],
    [
      "the same content stored twice is one blob",
      async (s) => {
        const a = await s.put(Buffer.from("same"));
        const b = await s.put(Readable.from([Buffer.from("sa"), Buffer.from("me")]));
        assert.equal(a.hash, b.hash);
        const all: string[] = [];
        for await (const r of s.list()) all.push(r.hash);
        assert.equal(all.filter((h) => h === a.hash).length, 1);
      },
    ],
    [
      "empty content is a valid blob",
      async (s) => {
        const ref = await s.put(new Uint8Array(0));
        assert.equal(ref.hash, sha(""));
        assert.equal(ref.size, 0);
        assert.equal((await collect(await s.get(ref.hash))).length, 0);
      },
    ],
    [
      "exists, stat and list see stored blobs only",
      async (s) => {
        const ref = await s.put(Buffer.from("listed"));
        assert.equal(await s.exists(ref.hash), true);
        assert.equal(await s.exists(sha("never stored")), false);
        assert.equal(await s.stat(sha("never stored")), undefined);
        const listed: string[] = [];
        for await (const r of s.list()) listed.push(r.hash);
        assert.ok(listed.includes(ref.hash));
        assert.ok(!listed.includes(sha("never stored")));
      },
    ],
    [
      "get of a missing blob is ARTIFACT_NOT_FOUND",
      async (s) => {
        await assert.rejects(s.get(sha("missing")), (e) => isKoanError(e, "ARTIFACT_NOT_FOUND"));
      },
    ],
    [
      "files handed over by the runner are stored (hard-linked or streamed), outside files are only read",
      async (s) => {
        const { dir, cleanup } = await tempDir();
        try {
          const scratch = join(dir, "scratch");
          const outside = join(dir, "outside");
          await mkdir(join(scratch, "data"), { recursive: true });
          await mkdir(outside);
          const big = Buffer.alloc(3 << 20, 7);
          await writeFile(join(scratch, "data", "big.bin"), big);
          await writeFile(join(scratch, "data", "copy.bin"), big);
          await writeFile(join(outside, "mine.txt"), "user data");
          await symlink(outside, join(scratch, "linked")); // a folder in scratch that is really the user's
          const writer = blobWriter(s, { handOver: scratch });
          const a = await writer.putFile(join(scratch, "data", "big.bin"));
          const b = await writer.putFile(join(scratch, "data", "copy.bin"));
          const c = await writer.putFile(join(scratch, "linked", "mine.txt"));
          assert.equal(a.hash, sha(big));
          assert.equal(a.size, big.length);
          assert.equal(b.hash, a.hash, "the same content handed over twice is one blob");
          assert.equal(c.hash, sha("user data"));
          for (const mode of [(await stat(join(outside, "mine.txt"))).mode & 0o777]) assert.equal(mode & 0o200, 0o200, "a file outside the folder keeps its mode");
          await rm(scratch, { recursive: true, force: true }); // what the runner does next
          assert.deepEqual(await readBlob(s, a.hash), big);
          assert.deepEqual(await readBlob(s, c.hash), Buffer.from("user data"));
          assert.equal(await readFile(join(outside, "mine.txt"), "utf8"), "user data");
        } finally {
          await cleanup();
        }
      },
    ],
    [
      "keys that are not hashes never reach the backend",
      async (s) => {
        assert.equal(await s.exists("../../etc/passwd"), false);
        await assert.rejects(s.get("../x"), (e) => isKoanError(e, "ARTIFACT_NOT_FOUND"));
      },
    ],
    [
      "delete removes a blob and is idempotent",
      async (s) => {
        const ref = await s.put(Buffer.from("to delete"));
        await s.delete(ref.hash);
        assert.equal(await s.exists(ref.hash), false);
        await s.delete(ref.hash);
      },
    ],
    [
      "a failing source stream leaves no blob behind",
      async (s) => {
        async function* broken(): AsyncIterable<Uint8Array> {
          yield Buffer.from("partial data that must never become visible");
          throw new Error("source broke");
        }
        const before: string[] = [];
        for await (const r of s.list()) before.push(r.hash);
        await assert.rejects(s.put(broken()), /source broke/);
        const after: string[] = [];
        for await (const r of s.list()) after.push(r.hash);
        assert.deepEqual(after.sort(), before.sort());
        assert.equal(await s.exists(sha("partial data that must never become visible")), false);
      },
    ],
    [
      "a blob is not visible while its source is still streaming",
      async (s) => {
        const first = Buffer.alloc(256 * 1024, 7);
        const second = Buffer.alloc(256 * 1024, 9);
        const hash = sha(Buffer.concat([first, second]));
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let reached!: () => void;
        const atGate = new Promise<void>((r) => (reached = r));
        async function* slow(): AsyncIterable<Uint8Array> {
          yield first;
          reached();
          await gate;
          yield second;
        }
        const putting = s.put(slow());
        await Promise.race([atGate, putting.then(() => assert.fail("put finished before its source ended"))]);
        assert.equal(await s.exists(hash), false);
        assert.equal(await s.stat(hash), undefined);
        for await (const r of s.list()) assert.notEqual(r.hash, hash);
        release();
        const ref = await putting;
        assert.equal(ref.hash, hash);
        assert.equal((await s.stat(hash))?.size, first.length + second.length);
      },
    ],
    [
      "a large stream (24 MiB, several upload parts) round-trips and verifies",
      async (s) => {
        const parts = Array.from({ length: 24 }, (_, i) => {
          const b = Buffer.alloc(1024 * 1024, i);
          b.writeUInt32BE(i * 2654435761 >>> 0, 0);
          return b;
        });
        const h = createHash("sha256");
        for (const p of parts) h.update(p);
        const expected = h.digest("hex");
        const ref = await s.put(Readable.from(parts));
        assert.equal(ref.hash, expected);
        assert.equal(ref.size, 24 * 1024 * 1024);
        assert.equal((await s.stat(expected))?.size, ref.size);
        const back = createHash("sha256");
        let size = 0;
        for await (const c of await s.get(expected, { verify: true })) {
          back.update(c as Buffer);
          size += (c as Buffer).length;
        }
        assert.equal(size, ref.size);
        assert.equal(back.digest("hex"), expected);
      },
    ],
    [
      "concurrent puts of the same content store one blob",
      async (s) => {
        const data = Buffer.alloc(3 * 1024 * 1024 + 17, 42);
        const refs = await Promise.all([s.put(Readable.from([data])), s.put(Readable.from([data.subarray(0, 5), data.subarray(5)])), s.put(data)]);
        assert.equal(new Set(refs.map((r) => r.hash)).size, 1);
        const hash = refs[0]?.hash as string;
        const listed: string[] = [];
        for await (const r of s.list()) if (r.hash === hash) listed.push(r.hash);
        assert.equal(listed.length, 1);
        assert.deepEqual(await readBlob(s, hash), data);
      },
    ],
    [
      "list returns every blob (across pages)",
      async (s) => {
        const refs = [];
        for (let i = 0; i < 25; i++) refs.push(await s.put(Buffer.from(`blob number ${i}`)));
        const listed = new Map<string, number>();
        for await (const r of s.list()) listed.set(r.hash, r.size);
        assert.equal(listed.size, 25);
        for (const r of refs) assert.equal(listed.get(r.hash), r.size);
      },
    ],
    [
      "an unreachable endpoint is STORE_UNAVAILABLE, naming the store",
      async () => {
        if (!subject.broken?.unreachable) return;
        const store = await subject.broken.unreachable();
        try {
          await assertFailsCleanly(store, "STORE_UNAVAILABLE", subject.secrets ?? []);
        } finally {
          await store.close();
        }
      },
    ],
    [
      "a missing bucket or container is CONFIG_INVALID, naming it",
      async () => {
        if (!subject.broken?.missingBucket) return;
        const store = await subject.broken.missingBucket();
        try {
          await assertFailsCleanly(store, "CONFIG_INVALID", subject.secrets ?? []);
        } finally {
          await store.close();
        }
      },
    ],
    [
      "refused credentials are STORE_UNAVAILABLE, and no error shows a credential",
      async () => {
        if (!subject.broken?.badCredentials) return;
        const store = await subject.broken.badCredentials();
        try {
          await assertFailsCleanly(store, "STORE_UNAVAILABLE", subject.secrets ?? []);
        } finally {
          await store.close();
        }
      },
    ],
    [
      "corruption is detected when read with verify",
      async (s) => {
        if (!subject.corrupt) return;
        const ref = await s.put(Buffer.from("pristine content"));
        await subject.corrupt(s, ref.hash);
        await assert.rejects(readBlob(s, ref.hash), (e) => isKoanError(e, "ARTIFACT_CORRUPT"));
        assert.equal(await checkBlob(s, ref.hash), "corrupt");
      },
    ],
  ];
  const names = new Set(cases.map(([n]) => n));
  for (const g of Object.keys(subject.gaps ?? {})) if (!names.has(g)) throw new Error(`${subject.flavor} declares a gap for an unknown case: "${g}"`);
  for (const [name, fn] of cases) {
    const gap = subject.gaps?.[name];
    const label = subject.against ? `${subject.flavor} on ${subject.against}` : subject.flavor;
    test(`[artifact-store:${label}] ${name}`, gap ? { skip: `known gap: ${gap}` } : {}, async () => {
      const store = await subject.open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  }
}
