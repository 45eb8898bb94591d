import { test } from "node:test";
import assert from "node:assert/strict";
import * as koanApi from "../../src/index.js";
import { loadPipelineFile } from "../../src/loader/pipeline-file.js";
import { join } from "node:path";
import { REPO, tempProject } from "../helpers.js";

for (const type of ["module", "commonjs"] as const) {
  test(`a pipeline file's \`import "koan"\` gets the Koan instance already loaded, and each load reads the file afresh (${type} project)`, async () => {
    const proj = await tempProject();
    if (type === "module") await proj.write("package.json", `{ "type": "module" }\n`);
    const seen = globalThis as { koanSeenByPipelineFile?: unknown[] };
    seen.koanSeenByPipelineFile = [];
    try {
      const source = (name: string): string => `
import * as koan from "koan";
import { helper } from "./helper.ts";
import { step as deepStep } from ${JSON.stringify(join(REPO, "dist", "src", "core", "step.js"))};
(globalThis as { koanSeenByPipelineFile?: unknown[] }).koanSeenByPipelineFile?.push(koan.pipeline, deepStep);
const noop = koan.step({ name: "noop", outputs: { n: koan.types.json<number>() }, run: () => ({ n: 1 }) });
export default koan.pipeline({ name: "${name}" + helper(), build: () => { noop(); } });
`;
      await proj.write("helper.ts", `export const helper = (): string => "_h";\n`);
      const file = await proj.write("pipeline.ts", source("first"));
      const first = await loadPipelineFile(file);
      assert.equal(first.pipeline.name, "first_h");
      assert.equal(seen.koanSeenByPipelineFile[0], koanApi.pipeline, "the pipeline file saw this process's Koan module, not a second copy");
      assert.equal(seen.koanSeenByPipelineFile[1], koanApi.step, "a file of Koan's imported by path is this process's too");
      await proj.write("pipeline.ts", source("second"));
      const second = await loadPipelineFile(file);
      assert.equal(second.pipeline.name, "second_h", "a changed file is loaded again");
      assert.notEqual(second.sourceHash, first.sourceHash);
      assert.equal(seen.koanSeenByPipelineFile.length, 4);
      assert.equal(seen.koanSeenByPipelineFile[2], koanApi.pipeline);
    } finally {
      delete seen.koanSeenByPipelineFile;
      await proj.cleanup();
    }
  });
}
