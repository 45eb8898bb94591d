/** `koan artifacts export <artifact> <dir>`. @module */
import { cp, mkdir, readdir, writeFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { KoanError } from "../../core/errors.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function exportArtifact(ref: string, dir: string, opts: ProjectOptions & { json?: boolean }): Promise<number> {
  const dest = resolve(dir);
  const existing = await readdir(dest).catch(() => undefined);
  if (existing && existing.length) throw new KoanError("USAGE", `${dest} is not empty`, { hint: "export into a new or empty folder" });
  return withClient(opts, async (koan) => {
    const a = await koan.resolveArtifact(ref);
    const value = await koan.load(a);
    await mkdir(dest, { recursive: true });
    const written: string[] = [];
    if (a.type === "dir" && typeof value === "string") {
      await cp(value, dest, { recursive: true, dereference: true });
      written.push(...((await readdir(dest, { recursive: true })) as string[]));
    } else if (a.type === "file" && typeof value === "string") {
      await cp(value, join(dest, basename(value)));
      written.push(basename(value));
    } else if (value instanceof Uint8Array) {
      await writeFile(join(dest, "data.bin"), value);
      written.push("data.bin");
    } else {
      await writeFile(join(dest, "value.json"), `${JSON.stringify(value, null, 2)}\n`);
      written.push("value.json");
    }
    if (opts.json) printJson({ artifact: a.id, dir: dest, files: written.sort() });
    else process.stdout.write(`exported ${a.id} to ${dest} (${written.length} file${written.length === 1 ? "" : "s"})\n`);
    return EXIT.ok;
  });
}
