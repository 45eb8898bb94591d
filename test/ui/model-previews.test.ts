/** Artifact previews of the training pipeline's artifacts: model summary, bundle signature, transform, evaluation. */
import { test } from "node:test";
import assert from "node:assert/strict";
import quickstart from "../../examples/quickstart/pipeline.js";
import { Koan } from "../../src/client/client.js";
import { startUiServer } from "../../src/ui/server.js";
import { tempDir } from "../helpers.js";

test("the Artifact page previews a model (layers, spec, kept metrics), a bundle (signature) and a transform", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    const r = await koan.run(quickstart);
    assert.equal(r.status, "succeeded", r.error?.message);
    const srv = await startUiServer(koan, { port: 0 });
    try {
      const preview = async (ref: string): Promise<Record<string, unknown>> => {
        const a = await koan.resolveArtifact(ref);
        const p = (await (await fetch(new URL(`api/artifacts/${a.id}/preview`, srv.url))).json()) as { kind: string; text: string };
        assert.equal(p.kind, "json", `${ref}: ${JSON.stringify(p)}`);
        return JSON.parse(p.text) as Record<string, unknown>;
      };
      const model = await preview(`${r.runId}/trainer/model`);
      assert.equal(model.framework, "tfjs-layers");
      assert.deepEqual((model.layers as { class: string; units?: number }[]).filter((l) => l.class === "Dense").map((l) => l.units), [16, 3]);
      assert.ok(typeof (model.metrics as Record<string, number>).val_accuracy === "number");
      const bundle = await preview(`${r.runId}/bundle/bundle`);
      assert.deepEqual(((bundle.signature as { outputs: { name: string }[] }).outputs).map((o) => o.name), ["probabilities", "class"]);
      assert.equal((bundle.label as { name: string }).name, "Species");
      const transform = await preview(`${r.runId}/preprocess/transform`);
      assert.equal(transform.format, "koan.transform");
      const evaluation = await preview(`${r.runId}/evaluator/evaluation`);
      assert.equal((evaluation.blessing as { blessed: boolean }).blessed, true);
    } finally {
      await srv.close();
    }
  } finally {
    await koan.close();
    await cleanup();
  }
});
