/** `koan report <run> [-o report.html]`. @module */
import { rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { collectReport, reportSummary } from "../../report/collect.js";
import { renderReport } from "../../report/render.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function report(ref: string, opts: ProjectOptions & { out?: string; json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const data = await collectReport(koan, ref);
    const html = await renderReport(data);
    if (opts.out === "-") {
      process.stdout.write(html);
      return EXIT.ok;
    }
    const out = resolve(opts.out ?? `report-${data.run.id}.html`);
    // Written whole or not at all.
    await writeFile(`${out}.tmp-${process.pid}`, html);
    await rename(`${out}.tmp-${process.pid}`, out);
    if (opts.json) printJson({ file: out, bytes: Buffer.byteLength(html), ...(reportSummary(data) as object) });
    else process.stdout.write(`wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB)${data.problems.length ? `; ${data.problems.length} artifact(s) could not be read` : ""}\n`);
    return EXIT.ok;
  });
}
