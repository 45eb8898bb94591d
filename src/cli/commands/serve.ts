/** `koan serve <bundle>`: the model server in the foreground until SIGTERM/SIGINT. @module */
import { existsSync } from "node:fs";
import { KoanError } from "../../core/errors.js";
import type { ServableModel } from "../../serving/model.js";
import { loadServable } from "../../serving/resolve.js";
import { serveUntilSignal } from "../../serving/serve.js";
import { findProjectDir } from "../../project/project.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT } from "../output.js";

interface Opts extends ProjectOptions {
  port?: string;
  host: string;
  name?: string;
  grpcPort: string;
  grpc: boolean;
  maxBatchSize: string;
  maxWaitMs: string;
  batching: boolean;
  maxBodyBytes: string;
  readyFile?: string;
}

const int = (v: string, flag: string, min = 0): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new KoanError("USAGE", `${flag} must be a whole number ≥ ${min}, got "${v}"`);
  return n;
};

/** Rename a servable (the API name), keeping everything else. */
function renamed(model: ServableModel, name: string): ServableModel {
  return { name, version: model.version, ...(model.platform ? { platform: model.platform } : {}), signature: model.signature, predict: (rows) => model.predict(rows) };
}

export default async function serve(ref: string, opts: Opts): Promise<number> {
  const port = opts.port === undefined ? undefined : int(opts.port, "--port");
  const options = {
    host: opts.host,
    ...(port !== undefined ? { port } : {}),
    ...(opts.grpc ? { grpcPort: int(opts.grpcPort, "--grpc-port") } : {}),
    maxBodyBytes: int(opts.maxBodyBytes, "--max-body-bytes", 1),
    batching: { enabled: opts.batching, maxBatchSize: int(opts.maxBatchSize, "--max-batch-size", 1), maxWaitMs: int(opts.maxWaitMs, "--max-wait-ms") },
    ...(opts.readyFile ? { readyFile: opts.readyFile } : {}),
  };
  const inProject = existsSync(ref) ? false : Boolean(findProjectDir(opts.project ?? process.cwd()));
  let model = inProject ? await withClient(opts, (koan) => loadServable(koan, ref)) : await loadServable(undefined, ref);
  if (opts.name) model = renamed(model, opts.name);
  await serveUntilSignal(model, options);
  return EXIT.ok;
}
