/** `koan stats <dataset>`: statistics per split and feature, as a table, JSON, or a binary FeatureStats list. @module */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { encodeStatisticsList } from "../../data/stats/binary.js";
import type { DatasetStatistics, FeatureStatistics } from "../../data/stats/types.js";
import { resolveDataset, statisticsOf } from "../../data/versions/resolve.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson, table } from "../output.js";

/** A number for a table: integers as they are, others with 5 significant digits. */
export function num(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return "-";
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(5)));
}

function missing(f: FeatureStatistics, total: number): string {
  const c = f.numStats?.commonStats ?? f.stringStats?.commonStats ?? f.bytesStats?.commonStats ?? f.structStats?.commonStats;
  if (!c) return "-";
  // TFDV counts an empty value list as present; a reader counts it as missing, so show both when they differ.
  const absent = c.numMissing;
  return `${absent} (${total ? Math.round((100 * absent) / total) : 0}%)`;
}

function count(f: FeatureStatistics): string {
  const c = f.numStats?.commonStats ?? f.stringStats?.commonStats ?? f.bytesStats?.commonStats ?? f.structStats?.commonStats;
  return c ? String(c.numNonMissing) : "-";
}

/** The readable form of one split's statistics. */
export function renderStatistics(s: DatasetStatistics): string {
  const numeric = s.features.filter((f) => f.numStats);
  const strings = s.features.filter((f) => f.stringStats);
  const other = s.features.filter((f) => !f.numStats && !f.stringStats);
  const out = [`${paint("bold", `split "${s.name}"`)}: ${s.numExamples} examples, ${s.features.length} features`];
  if (numeric.length) {
    out.push(
      table(
        numeric.map((f) => {
          const n = f.numStats!;
          return { "numeric feature": f.name, type: f.type, count: count(f), missing: missing(f, s.numExamples), mean: num(n.mean), "std dev": num(n.stdDev), zeros: String(n.numZeros), min: num(n.min), median: num(n.median), max: num(n.max) };
        }),
        ["numeric feature", "type", "count", "missing", "mean", "std dev", "zeros", "min", "median", "max"],
      ),
    );
  }
  if (strings.length) {
    out.push(
      table(
        strings.map((f) => {
          const st = f.stringStats!;
          const top = st.topValues.slice(0, 5).map((v) => `${v.value.length > 24 ? `${v.value.slice(0, 21)}...` : v.value} ${v.frequency}`).join(" · ");
          return { "string feature": f.name, count: count(f), missing: missing(f, s.numExamples), unique: String(st.unique), "avg len": num(st.avgLength), "top values": top };
        }),
        ["string feature", "count", "missing", "unique", "avg len", "top values"],
      ),
    );
  }
  if (other.length) out.push(table(other.map((f) => ({ "other feature": f.name, type: f.type, count: count(f), missing: missing(f, s.numExamples) })), ["other feature", "type", "count", "missing"]));
  return out.join("\n\n");
}

export default async function stats(ref: string, opts: ProjectOptions & { split?: string; pb?: string; json?: boolean }): Promise<number> {
  return withClient(opts, async (koan) => {
    const d = await resolveDataset(koan, ref);
    const { statistics, origin } = await statisticsOf(koan, d, opts.split);
    if (opts.pb) await writeFile(resolve(opts.pb), await encodeStatisticsList(statistics));
    if (opts.json) {
      printJson(statistics);
      return EXIT.ok;
    }
    const from =
      origin.kind === "recorded" ? `recorded by statistics artifact ${origin.artifactId}`
      : origin.kind === "stored" ? "stored with the dataset, counted while it was written"
      : "computed now: no statistics step recorded any and none are stored with the dataset";
    process.stdout.write(`dataset ${d.artifact.id} ${paint("dim", `(statistics ${from})`)}\n\n`);
    process.stdout.write(`${statistics.map(renderStatistics).join("\n\n")}\n`);
    if (opts.pb) process.stdout.write(`${paint("dim", `wrote ${resolve(opts.pb)} (DatasetFeatureStatisticsList)`)}\n`);
    return EXIT.ok;
  });
}
