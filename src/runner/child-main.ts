/** Entry point of a step's child process (see child.ts). @module */
import "../stores/flavors.js";
import { KoanError, messageOf } from "../core/errors.js";
import { createComponent } from "../core/flavor.js";
import { loadPipelineFile } from "../loader/pipeline-file.js";
import type { ArtifactStore } from "../stores/artifact/types.js";
import { runAttempt } from "./attempt.js";
import type { ChildReply, ChildRequest } from "./child.js";
import { LogSink } from "./logs.js";

process.once("message", (req: ChildRequest) => {
  const sink = new LogSink();
  const reply = (m: ChildReply): void => {
    process.send?.(m, () => process.exit(0));
  };
  (async () => {
    const { pipeline } = await loadPipelineFile(req.pipelineFile);
    const node = pipeline.node(req.attempt.node);
    if (!node) throw new KoanError("PIPELINE_INVALID", `pipeline file ${req.pipelineFile} has no step "${req.attempt.node}" any more`);
    const store = await createComponent<ArtifactStore>("artifact-store", req.artifactStore.flavor, req.artifactStore.config, { projectDir: req.projectDir });
    const outputs = await runAttempt({ ...req.attempt, step: node.step, store, signal: new AbortController().signal, sink });
    reply({ ok: true, outputs, lines: sink.lines, metrics: sink.metrics });
  })().catch((e: unknown) => {
    reply({
      ok: false,
      error: { code: e instanceof KoanError ? e.code : "STEP_FAILED", message: messageOf(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) },
      lines: sink.lines,
      metrics: sink.metrics,
    });
  });
});
