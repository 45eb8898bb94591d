/**
 * `npm run bench`: runs every `*.bench.js` suite next to this file (each exports `run()`), printing figures and
 * ratios against baselines measured in the same run. Nothing here passes or fails; targets are printed beside
 * the figures. Select suites with KOAN_BENCH=core,data,... (default: all).
 */
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const want = process.env.KOAN_BENCH?.split(",").map((s) => s.trim());
const suites = readdirSync(here).filter((f) => f.endsWith(".bench.js")).sort();
for (const file of suites) {
  const name = file.replace(/\.bench\.js$/, "");
  if (want && !want.includes(name)) continue;
  const mod = (await import(new URL(file, import.meta.url).href)) as { run: () => Promise<void> };
  process.stdout.write(`\n== ${name}\n`);
  await mod.run();
}
