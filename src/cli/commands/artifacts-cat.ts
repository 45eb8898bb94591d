/** `koan artifacts cat <artifact>`: print the content. @module */
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { pipeline as pipe } from "node:stream/promises";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT } from "../output.js";

export default async function cat(ref: string, opts: ProjectOptions): Promise<number> {
  return withClient(opts, async (koan) => {
    const a = await koan.resolveArtifact(ref);
    const value = await koan.load(a);
    if (a.type === "file" && typeof value === "string") await pipe(createReadStream(value), process.stdout, { end: false });
    else if (a.type === "dir" && typeof value === "string") process.stdout.write(`${(await readdir(value, { recursive: true })).sort().join("\n")}\n`);
    else if (value instanceof Uint8Array) process.stdout.write(value);
    else process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return EXIT.ok;
  });
}
