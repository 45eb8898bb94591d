/**
 * `koan validate <dataset> [--against <schema-or-dataset>]`: anomalies of every split against a schema, and,
 * against another dataset, drift per feature (L-infinity for categorical features, Jensen-Shannon divergence for
 * numeric ones). Exit 1 when there are anomalies.
 * @module
 */
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { KoanError } from "../../core/errors.js";
import { validateStatisticsDetailed } from "../../data/anomalies/validate.js";
import type { Anomaly, DriftSkewMeasurement } from "../../data/anomalies/types.js";
import type { Dataset } from "../../data/dataset/dataset.js";
import { inferSchema } from "../../data/schema/infer.js";
import { parseSchemaText } from "../../data/schema/pbtxt.js";
import type { Schema, SchemaFeature } from "../../data/schema/types.js";
import { findFeatureStats } from "../../data/stats/order.js";
import type { DatasetStatistics } from "../../data/stats/types.js";
import { baseSplit, resolveDataset, schemaOf, statisticsOf } from "../../data/versions/resolve.js";
import { originText } from "./schema.js";
import { num } from "./stats.js";
import { withClient, type ProjectOptions } from "../open.js";
import { EXIT, paint, printJson, table } from "../output.js";

/** Default drift thresholds when neither the schema nor a flag gives one. */
export const DEFAULT_THRESHOLDS = { linf: 0.1, jsd: 0.1 } as const;

function threshold(flag: string | undefined, name: string): number | undefined {
  if (flag === undefined) return undefined;
  const n = Number(flag);
  if (!(n >= 0 && n <= 1)) throw new KoanError("USAGE", `--${name} must be a number from 0 to 1, got "${flag}"`);
  return n;
}

/**
 * The schema with a drift comparator on every feature of the baseline: L-infinity for categorical (string)
 * features, Jensen-Shannon divergence for numeric ones. A flag's threshold wins over the schema's, the schema's
 * over the default.
 */
export function withDriftThresholds(schema: Schema, baseline: DatasetStatistics, flags: { linf?: number; jsd?: number }): Schema {
  const feature = schema.feature.map((f): SchemaFeature => {
    const stats = findFeatureStats(baseline, f.name);
    if (!stats) return f;
    const categorical = Boolean(stats.stringStats) || f.intDomain?.isCategorical === true;
    const dc = f.driftComparator ?? {};
    if (categorical) {
      const t = flags.linf ?? dc.infinityNorm?.threshold ?? DEFAULT_THRESHOLDS.linf;
      return { ...f, driftComparator: { ...dc, infinityNorm: { ...dc.infinityNorm, threshold: t } } };
    }
    if (!stats.numStats) return f;
    const t = flags.jsd ?? dc.jensenShannonDivergence?.threshold ?? DEFAULT_THRESHOLDS.jsd;
    return { ...f, driftComparator: { ...dc, jensenShannonDivergence: { ...dc.jensenShannonDivergence, threshold: t } } };
  });
  return { ...schema, feature };
}

interface Against {
  schema: Schema;
  from: string;
  baseline?: { id: string; statistics: DatasetStatistics[] };
}

async function against(koan: Parameters<Parameters<typeof withClient>[1]>[0], ref: string): Promise<Against> {
  const file = resolve(ref);
  if ((await stat(file).catch(() => undefined))?.isFile()) return { schema: parseSchemaText(await readFile(file, "utf8"), file), from: file };
  const a = await koan.resolveArtifact(ref);
  if (a.type === "schema") return { schema: (await koan.load(a)) as Schema, from: `schema artifact ${a.id}` };
  if (a.type === "statistics") {
    const statistics = (await koan.load(a)) as DatasetStatistics[];
    const base = statistics.find((s) => s.name === baseSplit(statistics.map((x) => x.name)));
    if (!base) throw new KoanError("DATA_INVALID", `statistics artifact ${a.id} holds no split`);
    return { schema: inferSchema(base), from: `schema inferred from statistics artifact ${a.id}`, baseline: { id: a.id, statistics } };
  }
  if (a.type === "dataset") {
    const b = { artifact: a, dataset: (await koan.load(a)) as Dataset };
    const { schema, origin } = await schemaOf(koan, b);
    return { schema, from: `dataset ${a.id} (schema ${originText(origin)})`, baseline: { id: a.id, statistics: (await statisticsOf(koan, b)).statistics } };
  }
  throw new KoanError("USAGE", `--against ${ref}: artifact ${a.id} is a ${a.type} artifact`, { hint: "give a schema.pbtxt file, or a schema, statistics or dataset artifact" });
}

const MEASURE = { L_INFTY: "L-infinity", JENSEN_SHANNON_DIVERGENCE: "Jensen-Shannon", NORMALIZED_ABSOLUTE_DIFFERENCE: "norm. abs. diff" } as const;

export default async function validate(ref: string, opts: ProjectOptions & { against?: string; linf?: string; jsd?: string; json?: boolean }): Promise<number> {
  const flags = { linf: threshold(opts.linf, "linf"), jsd: threshold(opts.jsd, "jsd") };
  return withClient(opts, async (koan) => {
    const d = await resolveDataset(koan, ref);
    const { statistics } = await statisticsOf(koan, d);
    let target: Against;
    if (opts.against) target = await against(koan, opts.against);
    else {
      const { schema, origin } = await schemaOf(koan, d);
      target = { schema, from: `its schema (${originText(origin)})` };
    }
    const results: { split: string; comparedWith: string | null; anomalies: readonly Anomaly[]; drift: readonly DriftSkewMeasurement[] }[] = [];
    for (const s of statistics) {
      const base = target.baseline?.statistics;
      const previous = base?.find((b) => b.name === s.name) ?? base?.find((b) => b.name === baseSplit(base.map((x) => x.name)));
      const schema = previous ? withDriftThresholds(target.schema, previous, flags) : target.schema;
      const r = validateStatisticsDetailed(s, schema, previous ? { previous } : {});
      results.push({ split: s.name, comparedWith: previous ? `${target.baseline?.id}/${previous.name}` : null, anomalies: r.anomalies, drift: r.driftSkew.filter((m) => m.comparison === "drift") });
    }
    const total = results.reduce((n, r) => n + r.anomalies.length, 0);
    if (opts.json) {
      printJson({ dataset: d.artifact.id, against: target.from, anomalies: total, splits: results });
      return total ? EXIT.failed : EXIT.ok;
    }
    const out = [`dataset ${d.artifact.id} against ${target.from}`];
    for (const r of results) {
      out.push("", `${paint("bold", `split "${r.split}"`)}: ${r.anomalies.length ? paint("red", `${r.anomalies.length} anomal${r.anomalies.length === 1 ? "y" : "ies"}`) : paint("green", "no anomalies")}`);
      for (const a of r.anomalies) out.push(`  ${paint("red", "✗")} ${a.feature ?? "(dataset)"}: ${a.code}: ${a.description}`);
      if (r.drift.length) {
        out.push(`  drift against ${r.comparedWith}:`);
        const rows = r.drift.map((m) => ({ feature: m.feature, measure: MEASURE[m.type], value: num(m.value), threshold: num(m.threshold), status: m.value > m.threshold ? paint("red", "DRIFT") : paint("green", "ok") }));
        out.push(table(rows, ["feature", "measure", "value", "threshold", "status"]).split("\n").map((l) => `    ${l}`).join("\n"));
      }
    }
    process.stdout.write(`${out.join("\n")}\n`);
    return total ? EXIT.failed : EXIT.ok;
  });
}
