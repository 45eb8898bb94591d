/** Fingerprints of the outside world for steps that read it (see `StepOptions.fingerprint`). @module */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { KoanError } from "./errors.js";

/**
 * The SHA-256 of a file's content (streamed), so a changed file re-runs the step and an unchanged one (even if
 * touched or copied) does not.
 * @example
 * step({ name: "load", fingerprint: (p) => fileFingerprint(p.path), ... })
 */
export async function fileFingerprint(path: string): Promise<string> {
  const file = resolve(path);
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile()) throw new KoanError("DATA_INVALID", `cannot read ${file}: no such file`);
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return `sha256:${h.digest("hex")}`;
}
