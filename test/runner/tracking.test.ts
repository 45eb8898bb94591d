import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Koan, pipeline, step, types as t, registerMaterializer, KOAN_VERSION, type Materializer } from "../../src/index.js";
import { isKoanError } from "../../src/core/errors.js";
import { defineArtifactType } from "../../src/core/types.js";
import { tempDir } from "../helpers.js";

const make = step({ name: "make", outputs: { v: t.json<number>() }, run: () => ({ v: 41 }) });
const inc = step({ name: "inc", inputs: { v: t.json<number>() }, outputs: { w: t.json<number>() }, run: (_c, { v }) => ({ w: v + 1 }) });

test("every run records environment, configuration, spec, stack and code hashes", async () => {
  const { dir, cleanup } = await tempDir();
  try {
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "init"], { cwd: dir });
    await writeFile(join(dir, "package-lock.json"), '{"lockfileVersion":3}');
    const koan = await Koan.open({ dir, init: true });
    try {
      const r = await koan.run(pipeline({ name: "tracked", seed: 3, build: () => { const { v } = make(); inc({ v }); } }));
      const run = await koan.getRun(r.runId);
      const env = run.environment as { koan: string; node: string; platform: string; lockfileHash: string; git: { commit: string; dirty: boolean; diffHash: string | null } };
      assert.equal(env.koan, KOAN_VERSION);
      assert.equal(env.node, process.version);
      assert.match(env.lockfileHash, /^package-lock\.json:[0-9a-f]{64}$/);
      assert.match(env.git.commit, /^[0-9a-f]{40}$/);
      assert.equal(env.git.dirty, true, "package-lock.json and .koan are untracked");
      assert.match(env.git.diffHash ?? "", /^[0-9a-f]{64}$/);
      assert.deepEqual(run.config, { seed: 3, concurrency: 4, cache: true, params: { make: {}, inc: {} } });
      assert.equal((run.stack as { artifactStore: { flavor: string } }).artifactStore.flavor, "local");
      assert.deepEqual((run.spec as { nodes: { name: string }[] }).nodes.map((n) => n.name), ["make", "inc"]);
      assert.equal(run.host.length > 0, true);
      assert.equal(run.pid, process.pid);
      const steps = r.steps;
      assert.equal(steps[0]?.codeHash, make.definition.codeHash);
      assert.match(steps[0]?.cacheKey ?? "", /^[0-9a-f]{64}$/);
    } finally {
      await koan.close();
    }
  } finally {
    await cleanup();
  }
});

test("the cache is shared by all pipelines of a stack", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    await koan.run(pipeline({ name: "one", build: () => { const { v } = make(); inc({ v }); } }));
    const other = await koan.run(pipeline({ name: "two", build: () => { const { v } = make(); inc({ v }); } }));
    assert.deepEqual(other.steps.map((s) => [s.step, s.cacheHit]), [["make", true], ["inc", true]]);
    // A renamed call draws its own random stream (seeds derive from the node name), so it is a different key.
    const renamed = await koan.run(pipeline({ name: "three", build: () => { const { v } = make(); inc({ v }, { name: "renamed" }); } }));
    assert.deepEqual(renamed.steps.map((s) => [s.step, s.cacheHit]), [["make", true], ["renamed", false]]);
  } finally {
    await koan.close();
    await cleanup();
  }
});

test("artifacts are read by the materializer (and version) that wrote them", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const v1: Materializer<string> = {
      name: "test.upper",
      version: 2,
      async save(value, out) {
        const root = await out.putBytes(Buffer.from(value.toUpperCase()));
        return { root, blobs: [root] };
      },
      async load(root, version, input) {
        const text = Buffer.from(await input.bytes(root)).toString();
        return version === 1 ? `v1:${text}` : text.toLowerCase();
      },
    };
    registerMaterializer(v1 as Materializer<unknown>);
    const upper = defineArtifactType("upper", v1, (v) => (typeof v === "string" ? undefined : "not a string"));
    const s = step({ name: "shout", outputs: { text: upper }, run: () => ({ text: "hello" }) });
    const r = await koan.run(pipeline({ name: "mat", build: () => { s(); } }));
    const art = r.outputs.shout?.text;
    assert.equal(art?.materializer, "test.upper");
    assert.equal(art?.materializerVersion, 2);
    assert.equal(await koan.load(art!), "hello");
    assert.equal(await koan.load({ ...art!, materializerVersion: 1 }), "v1:HELLO", "an older version is read the old way");
    await assert.rejects(koan.load({ ...art!, materializerVersion: 3 }), (e) => isKoanError(e, "MATERIALIZER_UNKNOWN") && /upgrade/.test(e.hint ?? ""));
    await assert.rejects(koan.load({ ...art!, materializer: "nobody.knows" }), (e) => isKoanError(e, "MATERIALIZER_UNKNOWN"));
  } finally {
    await koan.close();
    await cleanup();
  }
});
