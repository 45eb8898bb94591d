import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { Koan, commandStep, pipeline, step, types as t } from "../../src/index.js";
import { tempDir } from "../helpers.js";

test("commandStep hands inputs over as paths, collects declared outputs, and is cached", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const script = join(dir, "tool.mjs");
    await (await import("node:fs/promises")).writeFile(
      script,
      `import { readFileSync, writeFileSync } from "node:fs";
const [,, input, outDir, factor] = process.argv;
const xs = JSON.parse(readFileSync(input, "utf8"));
writeFileSync(outDir + "/result.json", JSON.stringify(xs.map((x) => x * Number(factor))));
console.log("scaled", xs.length, "values");`,
    );
    const make = step({ name: "make", outputs: { xs: t.json<number[]>() }, run: () => ({ xs: [1, 2, 3] }) });
    const tool = commandStep({
      name: "tool",
      command: [process.execPath, script, "{inputs.xs}", "{outputs.out}", "{params.factor}"],
      script,
      inputs: { xs: t.json<number[]>() },
      outputs: { out: t.dir() },
      params: z.object({ factor: z.number().default(10) }),
    });
    const p = pipeline({ name: "cmd", build: () => { const { xs } = make(); tool({ xs }); } });
    const r = await koan.run(p);
    assert.equal(r.status, "succeeded", r.error?.message);
    const out = (await koan.load(r.outputs.tool?.out as never)) as string;
    assert.deepEqual(JSON.parse(await readFile(join(out, "result.json"), "utf8")), [10, 20, 30]);
    const s = r.steps.find((x) => x.step === "tool");
    assert.match(await koan.stepLog(s!), /scaled 3 values/);
    assert.match(await koan.stepLog(s!), /exit code 0/);
    assert.equal((await koan.run(p)).steps.find((x) => x.step === "tool")?.cacheHit, true);
    assert.equal((await koan.run(p, { params: { tool: { factor: 2 } } })).steps.find((x) => x.step === "tool")?.cacheHit, false);

    const failing = commandStep({ name: "fails", command: [process.execPath, "-e", "console.error('nope: bad input'); process.exit(3)"] });
    const f = await koan.run(pipeline({ name: "cmdfail", build: () => { failing(); } }));
    assert.equal(f.status, "failed");
    assert.match(f.error?.message ?? "", /exited with code 3: nope: bad input/);
    const missing = commandStep({ name: "missing", command: ["/no/such/program"] });
    const m = await koan.run(pipeline({ name: "cmdmissing", build: () => { missing(); } }));
    assert.match(m.error?.message ?? "", /cannot start "\/no\/such\/program"/);
  } finally {
    await koan.close();
    await cleanup();
  }
});
