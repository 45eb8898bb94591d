/** `koan predict <bundle> <dataset>`: batch inference into a dataset folder. @module */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { KoanError } from "../../core/errors.js";
import { Dataset } from "../../data/dataset/dataset.js";
import { DatasetWriter } from "../../data/dataset/writer.js";
import { outputKinds, scoreDataset } from "../../serving/batch/score.js";
import { isEmptyDir, loadServable } from "../../serving/resolve.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function predict(bundle: string, data: string, opts: ProjectOptions & { out: string; split: string[]; batchSize: string; keep: string[]; json?: boolean }): Promise<number> {
  const batchSize = Number(opts.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new KoanError("USAGE", `--batch-size must be a whole number ≥ 1, got "${opts.batchSize}"`);
  const out = resolve(opts.out);
  if (!(await isEmptyDir(out))) throw new KoanError("USAGE", `${out} is not empty`, { hint: "give a new or empty folder with --out" });
  return withClient(opts, async (koan) => {
    const model = await loadServable(koan, bundle);
    const dataset = existsSync(resolve(data)) ? await Dataset.open(resolve(data)) : await koan.load(await koan.resolveArtifact(data));
    if (!Dataset.is(dataset)) throw new KoanError("USAGE", `"${data}" is not a dataset`, { hint: "give a dataset artifact or a folder holding dataset.json" });
    const splits = opts.split.length ? opts.split : dataset.splits;
    const writer = await DatasetWriter.create(out, { splits, kinds: { ...Object.fromEntries(opts.keep.map((k) => [k, dataset.features[k]]).filter(([, v]) => v !== undefined)), ...outputKinds(model) }, source: { kind: "koan predict", model: model.name, version: model.version } });
    let counts: Record<string, number>;
    try {
      counts = await scoreDataset(model, dataset, writer, { splits, batchSize, keep: opts.keep });
    } catch (e) {
      await writer.abort();
      throw e;
    }
    await writer.close();
    if (opts.json) printJson({ out, rows: counts });
    else process.stdout.write(`wrote predictions for ${Object.entries(counts).map(([s, n]) => `${n} ${s} rows`).join(", ")} to ${out}\n`);
    return EXIT.ok;
  });
}
