/**
 * The artifact store conformance suite: every flavor runs these cases (local now; S3, GCS and Azure later).
 * A flavor that cannot meet a case declares it in `gaps` with a reason instead of skipping silently.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { ArtifactStore } from "../../src/stores/artifact/types.js";
import { readBlob, checkBlob } from "../../src/stores/artifact/verify.js";
import { isKoanError } from "../../src/core/errors.js";

/** How a flavor takes part. */
export interface ArtifactStoreSubject {
  flavor: string;
  /** A fresh, empty store. */
  open(): Promise<ArtifactStore>;
  /** Damage a stored blob's bytes (to test corruption detection), if the flavor can. */
  corrupt?(store: ArtifactStore, hash: string): Promise<void>;
  /** Cases this flavor cannot pass, with the reason. */
  gaps?: Record<string, string>;
  cleanup(): Promise<void>;
}

const sha = (b: Uint8Array | string): string => createHash("sha256").update(b).digest("hex");

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
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
  for (const [name, fn] of cases) {
    const gap = subject.gaps?.[name];
    test(`[artifact-store:${subject.flavor}] ${name}`, gap ? { skip: `known gap: ${gap}` } : {}, async () => {
      const store = await subject.open();
      try {
        await fn(store);
      } finally {
        await store.close();
      }
    });
  }
}
