/**
 * `npm run bench`: prints figures and ratios against baselines measured in the same run. Nothing here passes or
 * fails; targets are printed beside the figures. Select suites with KOAN_BENCH=core,... (default: all).
 */
import { run as core } from "./core.bench.js";

const suites: Record<string, () => Promise<void>> = { core };
const want = process.env.KOAN_BENCH?.split(",").map((s) => s.trim());
for (const [name, fn] of Object.entries(suites)) {
  if (want && !want.includes(name)) continue;
  await fn();
}
