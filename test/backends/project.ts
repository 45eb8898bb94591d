/** A temp project for runs on step backends: its pipeline file, `koan init`, and its stacks' step backends. */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml, stringify } from "yaml";
import { koan as cli, tempProject } from "../helpers.js";

/** The stacks of `.koan/config.yaml`, by name. */
export type Stacks = Record<string, Record<string, unknown>>;

/**
 * A project named `name` whose `pipeline.ts` is `pipeline`, initialised with `koan init`; `configure` then edits
 * its stacks (the default one, and any it adds), given the project's folder.
 */
export async function backendProject(name: string, pipeline: string, configure: (stacks: Stacks, dir: string) => void): Promise<Awaited<ReturnType<typeof tempProject>>> {
  const proj = await tempProject();
  await proj.write("pipeline.ts", pipeline);
  await proj.write("package.json", JSON.stringify({ name, private: true, type: "module" }));
  assert.equal((await cli(["init"], proj.dir)).code, 0);
  const file = join(proj.dir, ".koan", "config.yaml");
  const config = parseYaml(await readFile(file, "utf8")) as { stacks: Stacks };
  configure(config.stacks, proj.dir);
  await writeFile(file, stringify(config));
  return proj;
}
