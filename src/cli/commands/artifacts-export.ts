/** `koan artifacts export <artifact> <dir>`. @module */
import { readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { KoanError } from "../../core/errors.js";
import { exportArtifact as writeArtifact } from "../../serving/resolve.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function exportArtifact(ref: string, dir: string, opts: ProjectOptions & { json?: boolean }): Promise<number> {
  const dest = resolve(dir);
  const existing = await readdir(dest).catch(() => undefined);
  if (existing && existing.length) throw new KoanError("USAGE", `${dest} is not empty`, { hint: "export into a new or empty folder" });
  return withClient(opts, async (koan) => {
    const a = await koan.resolveArtifact(ref);
    const written = await writeArtifact(koan, a, dest);
    if (opts.json) printJson({ artifact: a.id, dir: dest, files: written.sort() });
    else process.stdout.write(`exported ${a.id} to ${dest} (${written.length} file${written.length === 1 ? "" : "s"})\n`);
    return EXIT.ok;
  });
}
