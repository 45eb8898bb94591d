import { test } from "node:test";
import assert from "node:assert/strict";
import { Koan } from "../../src/index.js";
import { loadPipelineFile } from "../../src/loader/pipeline-file.js";
import { tempProject } from "../helpers.js";

const PIPELINE = `
import { step, pipeline, types as t } from "koan";
const where = step({
  name: "where",
  isolation: "process",
  outputs: { pid: t.json<number>() },
  run: (ctx) => { console.log("hello from the child"); ctx.log.metric("m", 1); return { pid: process.pid }; },
});
const boom = step({ name: "boom", isolation: "process", inputs: { pid: t.json<number>() }, run: () => { throw new Error("child failure"); } });
export default pipeline({ name: "isolated", build: () => { const { pid } = where(); boom({ pid }); } });
`;

test("isolation: process runs the step in a child process with logs, metrics and errors carried back", async () => {
  const proj = await tempProject();
  try {
    const file = await proj.write("pipeline.ts", PIPELINE);
    const loaded = await loadPipelineFile(file);
    const koan = await Koan.open({ dir: proj.dir, init: true });
    try {
      const r = await koan.run(loaded.pipeline, { pipelineFile: loaded.file });
      const pid = (await koan.load(r.outputs.where?.pid as never)) as number;
      assert.equal(typeof pid, "number");
      assert.notEqual(pid, process.pid);
      const where = r.steps.find((s) => s.step === "where");
      assert.match(await koan.stepLog(where!), /hello from the child/);
      assert.equal((await koan.metadata.metricsOfRun(r.runId)).length, 1);
      assert.equal(r.status, "failed");
      assert.match(r.error?.message ?? "", /child failure/);
      assert.match(r.steps.find((s) => s.step === "boom")?.error?.stack ?? "", /child failure/);
      const noFile = await koan.run(loaded.pipeline, { cache: false });
      assert.equal(noFile.status, "failed");
      assert.match(noFile.error?.message ?? "", /not loaded from a file/);
    } finally {
      await koan.close();
    }
  } finally {
    await proj.cleanup();
  }
});
