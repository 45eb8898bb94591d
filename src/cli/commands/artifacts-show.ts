/** `koan artifacts show <artifact>`. @module */
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function show(ref: string, opts: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const a = await koan.resolveArtifact(ref);
    const producer = await koan.metadata.getStepRun(a.producerStepRun);
    const blobs = await koan.metadata.artifactBlobs(a.id);
    const info = { ...a, blobs, producer: producer ? { stepRun: producer.id, run: producer.runId, step: producer.step } : null };
    if (opts.json) printJson(info);
    else {
      const out = process.stdout;
      out.write(`artifact ${a.id}\n  type         ${a.type} (${a.materializer} v${a.materializerVersion})\n  content      sha256:${a.contentHash}\n  uri          ${a.uri}\n  size         ${a.size} bytes in ${blobs.length} blob(s)\n  created      ${a.createdAt}\n`);
      if (producer) out.write(`  produced by  ${producer.runId}/${producer.step}/${a.outputName}\n`);
      out.write(`  meta         ${JSON.stringify(a.meta)}\n`);
    }
    return EXIT.ok;
  });
}
