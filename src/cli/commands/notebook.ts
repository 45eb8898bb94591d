/** `koan notebook <run> [-o file.ipynb]`. @module */
import { rename, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { collectReport } from "../../report/collect.js";
import { notebookFor } from "../../report/notebook.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, printJson } from "../output.js";

export default async function notebook(ref: string, opts: ProjectOptions & { out?: string; import?: string; json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const data = await collectReport(koan, ref);
    const nb = notebookFor(data, { projectDir: koan.project.dir, ...(opts.import ? { importFrom: opts.import } : {}) });
    const out = resolve(opts.out ?? `${data.run.pipeline}-${data.run.id}.ipynb`);
    await writeFile(`${out}.tmp-${process.pid}`, `${JSON.stringify(nb, null, 1)}\n`);
    await rename(`${out}.tmp-${process.pid}`, out);
    if (opts.json) printJson({ file: out, cells: nb.cells.length });
    else process.stdout.write(`wrote ${out} (${nb.cells.length} cells; open it with Deno's Jupyter kernel: deno jupyter --install)\n`);
    return EXIT.ok;
  });
}
