/**
 * The models a server hosts, shared by every protocol front end: lookup by name and version, readiness, and
 * inference (tensors → validated rows → micro-batched predict → output tensors).
 * @module
 */
import { MicroBatcher, type BatchingOptions } from "./batcher.js";
import type { ServerMetrics } from "./metrics.js";
import { checkServable, type ServableModel } from "./model.js";
import { RequestError } from "./request-error.js";
import { checkRequestedOutputs, rowsToTensors, tensorsToRows, type InputTensor, type OutputTensor } from "./rows.js";

interface Entry {
  readonly model: ServableModel;
  readonly batcher: MicroBatcher;
}

/** Hosted models. */
export class ModelHost {
  private readonly entries = new Map<string, Entry>();
  /** False before start and once shutdown begins (readiness probes then fail). */
  ready = false;

  constructor(models: readonly ServableModel[], batching: BatchingOptions, metrics: ServerMetrics) {
    if (models.length === 0) throw new RangeError("a server needs at least one model");
    for (const m of models) {
      checkServable(m);
      if (this.entries.has(m.name)) throw new RangeError(`two models are named "${m.name}"`);
      this.entries.set(m.name, { model: m, batcher: new MicroBatcher(m, batching, (rows, reqs, s) => metrics.batch(rows, reqs, s)) });
    }
  }

  /** The first model (the default of single-model routes such as Vertex AI's). */
  get default(): ServableModel {
    return (this.entries.values().next().value as Entry).model;
  }

  /** Every hosted model. */
  get models(): ServableModel[] {
    return [...this.entries.values()].map((e) => e.model);
  }

  /** A model by name (and version, when given); a 404 otherwise. */
  entry(name: string, version?: string): Entry {
    const e = this.entries.get(name);
    if (!e) throw new RequestError(404, `model "${name}" is not served here (serving: ${[...this.entries.keys()].join(", ")})`);
    if (version !== undefined && version !== "" && version !== e.model.version) {
      throw new RequestError(404, `model "${name}" has no version "${version}" (serving version "${e.model.version}")`);
    }
    return e;
  }

  /** Run inference: validate, predict (micro-batched) and shape the outputs. */
  async infer(name: string, version: string | undefined, inputs: readonly InputTensor[], requested?: readonly string[]): Promise<{ model: ServableModel; outputs: OutputTensor[] }> {
    const { model, batcher } = this.entry(name, version);
    if (!this.ready) throw new RequestError(503, `model "${name}" is not ready (the server is starting or shutting down)`);
    checkRequestedOutputs(model.signature, requested);
    const rows = tensorsToRows(model.signature, inputs);
    let answers;
    try {
      answers = await batcher.submit(rows);
    } catch (e) {
      if (e instanceof RequestError) throw e;
      throw new RequestError(500, `model "${name}" failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return { model, outputs: rowsToTensors(model.signature, answers, rows.length, requested) };
  }

  /** Requests waiting for a micro-batch, over all models. */
  get queued(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.batcher.waiting;
    return n;
  }

  /** Wait until every queued and running predict call is done. */
  async drain(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.batcher.drain()));
  }
}
