import { test } from "node:test";
import assert from "node:assert/strict";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { Koan, pipeline, step, types as t, fileFingerprint, type RunResult } from "../../src/index.js";
import { tempDir } from "../helpers.js";

const calls: string[] = [];
const source = step({
  name: "source",
  params: z.object({ n: z.number().default(3) }),
  outputs: { xs: t.json<number[]>() },
  run: (_c, _i, { n }) => {
    calls.push("source");
    return { xs: Array.from({ length: n }, (_, i) => i) };
  },
});
const double = step({
  name: "double",
  inputs: { xs: t.json<number[]>() },
  outputs: { ys: t.json<number[]>() },
  run: (_c, { xs }) => {
    calls.push("double");
    return { ys: xs.map((x) => x * 2) };
  },
});
const sum = step({
  name: "sum",
  inputs: { ys: t.json<number[]>() },
  outputs: { total: t.json<number>() },
  params: z.object({ offset: z.number().default(0) }),
  run: (_c, { ys }, { offset }) => {
    calls.push("sum");
    return { total: ys.reduce((a, b) => a + b, offset) };
  },
});
const side = step({
  name: "side",
  params: z.object({ label: z.string().default("x") }),
  outputs: { label: t.json<string>() },
  run: (_c, _i, { label }) => {
    calls.push("side");
    return { label };
  },
});
const build = (d = double) => () => {
  const { xs } = source();
  const { ys } = d({ xs });
  sum({ ys });
  side();
};
const p = pipeline({ name: "cache", build: build() });

const hits = (r: RunResult): Record<string, boolean> => Object.fromEntries(r.steps.map((s) => [s.step, s.cacheHit]));

async function project() {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  return { dir, koan, cleanup: async () => { await koan.close(); await cleanup(); } };
}

test("a second run of an unchanged pipeline is all cache hits with the same outputs", async () => {
  const { koan, cleanup } = await project();
  try {
    const first = await koan.run(p);
    assert.equal(first.status, "succeeded");
    assert.deepEqual(hits(first), { source: false, double: false, sum: false, side: false });
    calls.length = 0;
    const second = await koan.run(p);
    assert.deepEqual(hits(second), { source: true, double: true, sum: true, side: true });
    assert.deepEqual(calls, []);
    assert.equal(second.outputs.sum?.total?.id, first.outputs.sum?.total?.id, "a hit reuses the artifact");
    assert.equal(await koan.load(second.outputs.sum?.total as never), 6);
    const cached = second.steps.find((s) => s.step === "sum");
    assert.equal(cached?.cachedFrom, first.steps.find((s) => s.step === "sum")?.id);
  } finally {
    await cleanup();
  }
});

test("changing one parameter re-runs exactly that step and its descendants", async () => {
  const { koan, cleanup } = await project();
  try {
    await koan.run(p);
    const r = await koan.run(p, { params: { source: { n: 4 } } });
    assert.deepEqual(hits(r), { source: false, double: false, sum: false, side: true });
    const r2 = await koan.run(p, { params: { source: { n: 4 }, sum: { offset: 1 } } });
    assert.deepEqual(hits(r2), { source: true, double: true, sum: false, side: true });
    assert.equal(await koan.load(r2.outputs.sum?.total as never), 13);
    const r3 = await koan.run(p, { seed: 99 });
    assert.ok(Object.values(hits(r3)).every((h) => !h), "the seed is part of every key");
  } finally {
    await cleanup();
  }
});

test("editing a step's code re-runs it and its descendants only", async () => {
  const { koan, cleanup } = await project();
  try {
    await koan.run(p);
    const edited = step({ name: "double", inputs: { xs: t.json<number[]>() }, outputs: { ys: t.json<number[]>() }, run: (_c, { xs }) => ({ ys: xs.map((x) => x * 3) }) });
    const r = await koan.run(pipeline({ name: "cache", build: build(edited) }));
    assert.deepEqual(hits(r), { source: true, double: false, sum: false, side: true });
    assert.equal(await koan.load(r.outputs.sum?.total as never), 9);
  } finally {
    await cleanup();
  }
});

test("an unchanged recomputed output keeps descendants cached (keys use content hashes)", async () => {
  const { koan, cleanup } = await project();
  try {
    await koan.run(p);
    const same = step({ name: "double", version: "2", inputs: { xs: t.json<number[]>() }, outputs: { ys: t.json<number[]>() }, run: (_c, { xs }) => ({ ys: xs.map((x) => x + x) }) });
    const r = await koan.run(pipeline({ name: "cache", build: build(same) }));
    assert.deepEqual(hits(r), { source: true, double: false, sum: true, side: true });
  } finally {
    await cleanup();
  }
});

test("deleting a cached artifact's blob makes its step re-run", async () => {
  const { koan, cleanup } = await project();
  try {
    const first = await koan.run(p);
    const art = first.outputs.double?.ys;
    assert.ok(art);
    await koan.artifacts.delete(art.contentHash);
    calls.length = 0;
    const r = await koan.run(p);
    assert.equal(hits(r).double, false);
    assert.ok(calls.includes("double"));
    assert.equal(hits(r).sum, true, "same content again, so the descendant is still a hit");
    assert.equal(await koan.artifacts.exists(art.contentHash), true);
  } finally {
    await cleanup();
  }
});

test("--no-cache and cache: false recompute", async () => {
  const { koan, cleanup } = await project();
  try {
    await koan.run(p);
    const r = await koan.run(p, { cache: false });
    assert.ok(Object.values(hits(r)).every((h) => !h));
    const never = step({ name: "never", cache: false, outputs: { v: t.json<number>() }, run: () => ({ v: 1 }) });
    const q = pipeline({ name: "nc", build: () => { never(); } });
    await koan.run(q);
    assert.equal(hits(await koan.run(q)).never, false);
  } finally {
    await cleanup();
  }
});

test("a step reading a file folds its content hash into the key", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const file = join(dir, "data.csv");
    await writeFile(file, "a,b\n1,2\n");
    const readSync = step({
      name: "read",
      params: z.object({ path: z.string() }),
      fingerprint: ({ path }) => fileFingerprint(path),
      outputs: { text: t.json<string>() },
      run: async (_c, _i, { path }) => ({ text: await (await import("node:fs/promises")).readFile(path, "utf8") }),
    });
    const q = pipeline({ name: "fp", build: () => { readSync(undefined, { params: { path: file } }); } });
    assert.equal(hits(await koan.run(q)).read, false);
    await writeFile(file, "a,b\n1,2\n"); // touched, same content
    assert.equal(hits(await koan.run(q)).read, true);
    await writeFile(file, "a,b\n1,3\n");
    const changed = await koan.run(q);
    assert.equal(hits(changed).read, false);
    assert.equal(await koan.load(changed.outputs.read?.text as never), "a,b\n1,3\n");
    await rm(file);
    const gone = await koan.run(q);
    assert.equal(gone.status, "failed");
    assert.match(gone.error?.message ?? "", /data\.csv/);
  } finally {
    await cleanup();
  }
});

test("file and folder outputs round-trip, and a consumer writing to its input cannot change the store", async () => {
  const { koan, cleanup } = await project();
  try {
    const make = step({
      name: "make",
      outputs: { report: t.file(), folder: t.dir() },
      run: async (ctx) => {
        const fs = await import("node:fs/promises");
        const f = join(ctx.scratchDir, "report.txt");
        await fs.writeFile(f, "hello");
        const d = join(ctx.scratchDir, "out");
        await fs.mkdir(join(d, "sub"), { recursive: true });
        await fs.writeFile(join(d, "a.txt"), "A");
        await fs.writeFile(join(d, "sub", "b.txt"), "B");
        return { report: f, folder: d };
      },
    });
    const use = step({
      name: "use",
      inputs: { report: t.file(), folder: t.dir() },
      outputs: { summary: t.json<string[]>() },
      run: async (_c, { report, folder }) => {
        const fs = await import("node:fs/promises");
        const before = await fs.readFile(report, "utf8");
        await fs.writeFile(report, "overwrite").catch(() => undefined);
        const names = (await fs.readdir(folder, { recursive: true })).map(String).sort();
        return { summary: [before, await fs.readFile(join(folder, "sub", "b.txt"), "utf8"), ...names] };
      },
    });
    const r = await koan.run(pipeline({ name: "files", build: () => { const o = make(); use(o); } }));
    assert.equal(r.status, "succeeded", r.error?.message);
    const summary = (await koan.load(r.outputs.use?.summary as never)) as string[];
    assert.deepEqual(summary, ["hello", "B", "a.txt", "sub", "sub/b.txt"]);
    const again = (await koan.load(r.outputs.make?.report as never)) as string;
    assert.equal(await (await import("node:fs/promises")).readFile(again, "utf8"), "hello", "the stored file is unchanged");
    assert.deepEqual((await koan.verify()).problems, []);
    assert.equal(r.outputs.make?.report?.meta && (r.outputs.make.report.meta as { name: string }).name, "report.txt");
  } finally {
    await cleanup();
  }
});
