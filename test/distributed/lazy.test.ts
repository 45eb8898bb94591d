/** Importing Koan, building the CLI and registering the queue flavor load neither BullMQ nor ioredis. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers.js";

const probe = `
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
await import(${JSON.stringify(join(REPO, "dist", "src", "index.js"))});
const { buildProgram } = await import(${JSON.stringify(join(REPO, "dist", "src", "cli", "main.js"))});
buildProgram();
const { listFlavors } = await import(${JSON.stringify(join(REPO, "dist", "src", "core", "flavor.js"))});
await import(${JSON.stringify(join(REPO, "dist", "src", "orchestrators", "flavors.js"))});
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes("/node_modules/" + name + "/"));
const before = { bullmq: loaded("bullmq"), ioredis: loaded("ioredis"), queue: listFlavors("orchestrator").some((f) => f.name === "queue") };
const { producerConnection } = await import(${JSON.stringify(join(REPO, "dist", "src", "orchestrators", "queue", "redis.js"))});
const midway = { ioredis: loaded("ioredis") };
await producerConnection({ url: "redis://127.0.0.1:1", connectTimeoutMs: 200 }).catch((e) => e);
console.log(JSON.stringify({ before, midway, after: { ioredis: loaded("ioredis") } }));
`;

test("import 'koan', the CLI and the queue flavor load no Redis client until a queue is used", () => {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() as string) as { before: Record<string, boolean>; midway: Record<string, boolean>; after: Record<string, boolean> };
  assert.deepEqual(out.before, { bullmq: false, ioredis: false, queue: true });
  assert.deepEqual(out.midway, { ioredis: false });
  assert.equal(out.after.ioredis, true, "the check itself sees a loaded client");
});
