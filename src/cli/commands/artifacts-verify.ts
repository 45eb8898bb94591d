/** `koan artifacts verify`: re-hash every blob. @module */
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson } from "../output.js";

export default async function verify(opts: ProjectOptions & { json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const r = await koan.verify();
    if (opts.json) printJson(r);
    else {
      for (const p of r.problems) process.stdout.write(`${paint("red", p.status)} blob ${p.blob} of artifact ${p.artifact}\n`);
      process.stdout.write(`${r.checked} blobs checked, ${r.problems.length} problem${r.problems.length === 1 ? "" : "s"}\n`);
    }
    return r.problems.length ? EXIT.failed : EXIT.ok;
  });
}
