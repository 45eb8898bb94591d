/**
 * Previews of the machine-learning artifacts on the Artifact page, as JSON summaries: a model (framework,
 * trainer, inputs and label, layers, training figures of the kept epoch), a serving bundle (its signature and
 * label), a fitted transform and an evaluation (their stored JSON).
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Koan } from "../client/client.js";
import type { ArtifactRecord } from "../stores/metadata/types.js";
import type { Preview } from "./api-types.js";
import type { PreviewProvider } from "./preview.js";
import { redact } from "./redact.js";

const LIMIT = 256 * 1024;

function json(value: unknown): Preview {
  const text = JSON.stringify(redact(value), null, 2) ?? "null";
  return { kind: "json", text: text.length > LIMIT ? text.slice(0, LIMIT) : text, truncated: text.length > LIMIT };
}

interface ModelLike {
  readonly folder: string;
  readonly info: { framework: string; trainer: unknown; spec: unknown; outputs: number; seed: number; backend: string | null; epochs: number; bestEpoch: number; stoppedEarly: boolean; history: Record<string, number[]> };
}

/** Layer names, classes and units from a TF.js `model.json` (null when the model is not TF.js). */
async function layers(folder: string): Promise<unknown> {
  const text = await readFile(join(folder, "model.json"), "utf8").catch(() => undefined);
  if (!text) return null;
  type Layer = { class_name: string; config: Record<string, unknown> };
  type Config = { config?: { layers?: Layer[] } };
  // TF.js writes the topology itself; Keras converters wrap it in model_config.
  const topology = (JSON.parse(text) as { modelTopology?: Config & { model_config?: Config } }).modelTopology;
  const list = topology?.config?.layers ?? topology?.model_config?.config?.layers ?? [];
  return list.map((l) => ({ class: l.class_name, name: l.config.name, ...(l.config.units !== undefined ? { units: l.config.units } : {}), ...(l.config.activation !== undefined ? { activation: l.config.activation } : {}) }));
}

async function modelSummary(m: ModelLike): Promise<unknown> {
  const i = m.info;
  const kept: Record<string, number> = {};
  for (const [k, v] of Object.entries(i.history)) if (v.length) kept[k] = v[Math.min(i.bestEpoch, v.length - 1)] as number;
  return { framework: i.framework, trainer: i.trainer, spec: i.spec, outputs: i.outputs, seed: i.seed, backend: i.backend, epochs: i.epochs, keptEpoch: i.bestEpoch + 1, stoppedEarly: i.stoppedEarly, metrics: kept, layers: await layers(m.folder) };
}

const provider = (name: string, materializer: string, summary: (value: unknown) => Promise<unknown> | unknown): PreviewProvider => ({
  name,
  accepts: (a: ArtifactRecord) => a.materializer === materializer,
  preview: async (koan: Koan, a: ArtifactRecord) => json(await summary(await koan.load(a))),
});

/** The providers, tried before the generic ones. */
export const modelPreviews: readonly PreviewProvider[] = [
  provider("model", "koan.model", (v) => modelSummary(v as ModelLike)),
  provider("bundle", "koan.bundle", async (v) => {
    const b = v as { manifest: { signature: unknown; label: unknown; framework: string; transformHash: string; version: number }; model: ModelLike };
    return { format: `koan.bundle v${b.manifest.version}`, signature: b.manifest.signature, label: b.manifest.label, transformHash: b.manifest.transformHash, model: await modelSummary(b.model) };
  }),
  provider("transform", "koan.transform", (v) => v),
  provider("evaluation", "koan.evaluation", (v) => v),
];
