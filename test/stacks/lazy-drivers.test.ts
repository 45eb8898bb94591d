/** Importing Koan, building the CLI and registering flavors load no database driver (pg, better-sqlite3). */
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
await import(${JSON.stringify(join(REPO, "dist", "src", "stores", "flavors.js"))});
const loaded = (name) => Object.keys(require.cache).some((k) => k.includes("/node_modules/" + name + "/"));
const before = { pg: loaded("pg"), sqlite: loaded("better-sqlite3") };
await import(${JSON.stringify(join(REPO, "dist", "src", "stores", "metadata", "postgres", "open.js"))});
console.log(JSON.stringify({ before, after: { pg: loaded("pg") } }));
`;

test("import 'koan' and the CLI load no database driver until a store is opened", () => {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() as string) as { before: { pg: boolean; sqlite: boolean }; after: { pg: boolean } };
  assert.deepEqual(out.before, { pg: false, sqlite: false });
  assert.equal(out.after.pg, true, "the check itself sees a loaded driver");
});
