/** `koan build`: the step image's build context, built and pushed where Docker answers, and its record. @module */
import { buildImage } from "../../backends/build/build.js";
import { projectAt } from "../../stack/project.js";
import { EXIT, printJson } from "../output.js";

export default async function build(opts: { image?: string; out?: string; baseImage?: string; docker: boolean; push?: boolean; project?: string; json?: boolean }): Promise<number> {
  const project = await projectAt(opts.project);
  const log = opts.json ? undefined : (line: string): void => void process.stderr.write(`${line}\n`);
  const result = await buildImage({
    projectDir: project.dir,
    image: opts.image,
    out: opts.out,
    baseImage: opts.baseImage,
    docker: opts.docker ? "auto" : "never",
    push: Boolean(opts.push),
    ...(log ? { log } : {}),
  });
  if (opts.json) printJson(result);
  else {
    process.stdout.write(`${result.built ? `built ${result.image}` : `build context for ${result.image} written to ${result.contextDir}`}${result.pushed ? " and pushed it" : ""}\n`);
    if (result.commands.length) process.stdout.write(`then run:\n${result.commands.map((c) => `  ${c}`).join("\n")}\n`);
    process.stdout.write(`recorded in .koan/build/image.json; remote steps of this project run ${result.image}\n`);
  }
  return EXIT.ok;
}
