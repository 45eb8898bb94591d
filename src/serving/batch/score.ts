/**
 * Batch inference: stream a dataset split through a servable in batches and write the predictions (plus any
 * kept columns) as a new dataset, with bounded memory. Used by the `batchPredictStep` steps and `koan predict`.
 * @module
 */
import { KoanError } from "../../core/errors.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import type { DatasetWriter } from "../../data/dataset/writer.js";
import type { FeatureKind } from "../../data/example/types.js";
import type { Row as DataRow } from "../../data/example/rows.js";
import type { Datatype, FeatureValue, ServableModel } from "../model.js";

/** Options of {@link scoreDataset}. */
export interface ScoreOptions {
  /** Splits to score (default: all). Each becomes the same split of the output. */
  splits?: readonly string[];
  /** Rows per predict call (default 256). */
  batchSize?: number;
  /** Input columns copied into the output beside the predictions (e.g. an id or the label). */
  keep?: readonly string[];
}

/** Dataset feature kinds of the model's outputs. */
export function outputKinds(model: ServableModel): Record<string, FeatureKind> {
  const kind = (d: Datatype): FeatureKind => (d === "BYTES" ? "bytes" : d === "FP32" || d === "FP64" ? "float" : "int64");
  return Object.fromEntries(model.signature.outputs.map((o) => [o.name, kind(o.datatype)]));
}

/** Check the dataset carries every required input (and the kept columns) before scoring anything. */
export function checkScorable(model: ServableModel, data: Dataset, keep: readonly string[]): void {
  const features = data.features;
  const missing = model.signature.inputs.filter((i) => !i.optional && !(i.name in features)).map((i) => i.name);
  if (missing.length) throw new KoanError("DATA_INVALID", `the dataset lacks the model's input${missing.length > 1 ? "s" : ""} ${missing.map((m) => `"${m}"`).join(", ")}`, { hint: `its features: ${Object.keys(features).join(", ")}` });
  const unknownKeep = keep.filter((k) => !(k in features));
  if (unknownKeep.length) throw new KoanError("USAGE", `cannot keep ${unknownKeep.map((k) => `"${k}"`).join(", ")}: not a feature of the dataset`);
  const clash = keep.filter((k) => model.signature.outputs.some((o) => o.name === k));
  if (clash.length) throw new KoanError("USAGE", `cannot keep ${clash.map((k) => `"${k}"`).join(", ")}: the model has an output of that name`);
}

function toData(v: FeatureValue, datatype: Datatype): DataRow[string] {
  if (v === null) return null;
  if (Array.isArray(v)) return (v as FeatureValue[]).flat(Infinity as 1).map((x) => toData(x as FeatureValue, datatype)) as DataRow[string];
  if (datatype === "BOOL") return v ? 1n : 0n;
  if ((datatype === "INT32" || datatype === "INT64") && typeof v === "number") return BigInt(v);
  return v as DataRow[string];
}

/** Score `data` with `model` into `writer` (created with the same splits); returns rows scored per split. */
export async function scoreDataset(model: ServableModel, data: Dataset, writer: DatasetWriter, options: ScoreOptions = {}, signal?: AbortSignal): Promise<Record<string, number>> {
  const keep = options.keep ?? [];
  const size = options.batchSize ?? 256;
  if (!Number.isInteger(size) || size < 1) throw new KoanError("USAGE", `batch size must be a whole number ≥ 1, got ${size}`);
  checkScorable(model, data, keep);
  const inputs = model.signature.inputs.map((i) => i.name);
  const counts: Record<string, number> = {};
  for (const split of options.splits ?? data.splits) {
    counts[split] = 0;
    let batch: Record<string, FeatureValue>[] = [];
    const flush = async (): Promise<void> => {
      if (!batch.length) return;
      signal?.throwIfAborted();
      const answers = await model.predict(batch.map((r) => Object.fromEntries(inputs.map((n) => [n, r[n] ?? null]))));
      if (!Array.isArray(answers) || answers.length !== batch.length) throw new KoanError("DATA_INVALID", `model "${model.name}" answered ${Array.isArray(answers) ? answers.length : "no"} rows for ${batch.length}`);
      for (let i = 0; i < batch.length; i++) {
        const out: Record<string, DataRow[string]> = {};
        for (const k of keep) out[k] = (batch[i] as Record<string, FeatureValue>)[k] as DataRow[string];
        for (const o of model.signature.outputs) out[o.name] = toData((answers[i] as Record<string, FeatureValue>)[o.name] ?? null, o.datatype);
        await writer.write(split, out);
      }
      counts[split] = (counts[split] as number) + batch.length;
      batch = [];
    };
    for await (const row of data.rows(split, { int64: "number" })) {
      batch.push(row as Record<string, FeatureValue>);
      if (batch.length >= size) await flush();
    }
    await flush();
  }
  return counts;
}
