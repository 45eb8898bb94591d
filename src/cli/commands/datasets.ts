/** `koan datasets`: versions of each data source. @module */
import { listSourceVersions } from "../../data/versions/catalog.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson, table } from "../output.js";

/** `train=240 eval=60`. */
export function rowsText(rows: Readonly<Record<string, number>>): string {
  return Object.entries(rows).map(([s, n]) => `${s}=${n}`).join(" ");
}

export default async function datasets(opts: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const sources = await listSourceVersions(koan);
    if (opts.json) {
      printJson(sources);
      return EXIT.ok;
    }
    if (!sources.length) {
      process.stdout.write("no datasets yet: run a pipeline with a source step (fileSource, tfrecordSource, ...)\n");
      return EXIT.ok;
    }
    const out: string[] = [];
    for (const s of sources) {
      out.push(`${paint("bold", s.identity.length > 160 ? `${s.identity.slice(0, 157)}...` : s.identity)}  ${paint("dim", `${s.versions.length} version${s.versions.length === 1 ? "" : "s"}`)}`);
      const rows = [...s.versions].reverse().map((v) => ({
        version: `v${v.version}`,
        artifact: v.artifactId,
        rows: rowsText(v.rows),
        features: String(v.features),
        hash: `sha256:${v.contentHash.slice(0, 12)}`,
        taken: v.takenAt.replace("T", " ").slice(0, 19),
        by: v.runId && v.step ? `${v.runId}/${v.step}` : "-",
      }));
      out.push(table(rows, ["version", "artifact", "rows", "features", "hash", "taken", "by"]).split("\n").map((l) => `  ${l}`).join("\n"), "");
    }
    process.stdout.write(`${out.join("\n")}`);
    return EXIT.ok;
  });
}
