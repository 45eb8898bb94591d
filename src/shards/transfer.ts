/**
 * Handing a step's loaded inputs to a worker thread: a Dataset travels as its manifest's local files (the thread
 * reopens it in place, nothing is copied), plain data as itself. Anything else (a model, a class instance) cannot
 * travel, and the shards then run in the step's own thread.
 * @module
 */
import { Dataset } from "../data/dataset/dataset.js";

/** One input as sent to a thread. */
export type TransferredInput = { kind: "dataset"; files: Record<string, string> } | { kind: "value"; value: unknown };

function plain(v: unknown): boolean {
  if (v === null || ["string", "number", "boolean", "undefined"].includes(typeof v)) return true;
  if (Array.isArray(v)) return v.every(plain);
  if (ArrayBuffer.isView(v)) return true;
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v) as unknown;
    return (proto === Object.prototype || proto === null) && Object.values(v as object).every(plain);
  }
  return false;
}

/** The inputs as a thread can receive them, or undefined when one cannot travel. */
export async function transferInputs(inputs: Record<string, unknown>): Promise<Record<string, TransferredInput> | undefined> {
  const out: Record<string, TransferredInput> = {};
  for (const [port, value] of Object.entries(inputs)) {
    if (Dataset.is(value)) {
      const files: Record<string, string> = {};
      for (const rel of value.files()) files[rel] = await value.localFile(rel);
      out[port] = { kind: "dataset", files };
    } else if (plain(value)) out[port] = { kind: "value", value };
    else return undefined;
  }
  return out;
}

/** Rebuild inputs in a thread. */
export async function restoreInputs(inputs: Record<string, TransferredInput>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [port, t] of Object.entries(inputs)) {
    out[port] =
      t.kind === "dataset"
        ? await Dataset.fromResolver(async (rel) => {
            const file = t.files[rel];
            if (!file) throw new Error(`dataset file "${rel}" was not handed to the shard thread`);
            return file;
          })
        : t.value;
  }
  return out;
}
