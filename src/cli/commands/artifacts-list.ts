/** `koan artifacts list`. @module */
import { KoanError } from "../../core/errors.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson, table } from "../output.js";

export default async function list(opts: ProjectOptions & { limit: string; json?: boolean }): Promise<number> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new KoanError("USAGE", `--limit must be a whole number ≥ 1, got "${opts.limit}"`);
  return withClient(opts, async (koan) => {
    const items = await koan.metadata.listArtifacts({ limit });
    if (opts.json) printJson(items);
    else process.stdout.write(`${table(items.map((a) => ({ id: a.id, type: a.type, output: a.outputName, size: String(a.size), hash: a.contentHash.slice(0, 12), created: a.createdAt.replace("T", " ").slice(0, 19) })), ["id", "type", "output", "size", "hash", "created"])}\n`);
    return EXIT.ok;
  });
}
