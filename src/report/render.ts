/**
 * `renderReport`: one self-contained HTML file for a run — overview, dataset statistics per split (a Facets-like
 * overview with histograms and top values), schema, anomalies, training curves, and evaluation metrics overall and
 * per slice with the confusion matrix and calibration (or residuals) plots.
 *
 * @example
 * ```ts
 * const html = await renderReport(await collectReport(koan, runId));
 * await writeFile("report.html", html);
 * ```
 * @module
 */
import type { DatasetStatistics, FeatureStatistics } from "../data/stats/types.js";
import type { Schema } from "../data/schema/types.js";
import type { Evaluation, SliceResult, ThresholdCheck } from "../evaluate/types.js";
import type { ModelInfo } from "../train/model-info.js";
import { loadCharts, type Charts } from "./charts.js";
import type { Found, ReportData } from "./collect.js";
import { esc, num, page, section, table } from "./html.js";

const pct = (n: number, d: number): string => (d > 0 ? `${((100 * n) / d).toFixed(1)}%` : "—");

function featureRow(f: FeatureStatistics, rows: number, charts: Charts): string {
  const n = f.numStats;
  const s = f.stringStats;
  const common = n?.commonStats ?? s?.commonStats ?? f.bytesStats?.commonStats ?? f.structStats?.commonStats;
  const missing = common?.numMissing ?? 0;
  const facts: [string, string][] = [
    ["type", esc(f.type)],
    ["count", num(common?.numNonMissing ?? 0)],
    ["missing", `${num(missing)} (${pct(missing, rows)})`],
  ];
  let chart = "";
  if (n) {
    facts.push(["mean", num(n.mean)], ["std dev", num(n.stdDev)], ["zeros", `${num(n.numZeros)} (${pct(n.numZeros, rows)})`], ["min", num(n.min)], ["median", num(n.median)], ["max", num(n.max)]);
    const standard = n.histograms.find((h) => h.type === "STANDARD") ?? n.histograms[0];
    if (standard?.buckets.length) chart = charts.histogram(standard.buckets);
  } else if (s) {
    facts.push(["unique", num(s.unique)], ["avg length", num(s.avgLength)]);
    if (s.topValues.length) chart = charts.topValues(s.topValues);
  }
  const dl = `<table>${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td class="n">${v}</td></tr>`).join("")}</table>`;
  return `<div class="feature"><div><h3>${esc(f.name)}</h3>${dl}</div><div>${chart}</div></div>`;
}

function statisticsSection(found: readonly Found<DatasetStatistics[]>[], charts: Charts): string {
  if (!found.length) return `<p class="muted">This run computed no statistics.</p>`;
  return found
    .map((f) => {
      const splits = f.value;
      const summary = table(["split", "rows", "features"], splits.map((s) => [esc(s.name), `<span class="n">${num(s.numExamples)}</span>`, String(s.features.length)]));
      const perSplit = splits.map((s) => `<h3>Split <code>${esc(s.name)}</code> — ${num(s.numExamples)} rows</h3>${s.features.map((x) => featureRow(x, s.numExamples, charts)).join("")}`).join("");
      return `<p class="muted">From <code>${esc(f.ref)}</code></p>${summary}${perSplit}`;
    })
    .join("");
}

function schemaSection(found: readonly Found<Schema>[]): string {
  if (!found.length) return `<p class="muted">This run inferred no schema.</p>`;
  return found
    .map(({ ref, value }) => {
      const domains = new Map((value.stringDomain ?? []).map((d) => [d.name ?? "", d.value]));
      const rows = value.feature.map((f) => {
        const domain = f.stringDomain?.value ?? (f.domain ? domains.get(f.domain) : undefined);
        const values = domain ? `${domain.slice(0, 12).map(esc).join(", ")}${domain.length > 12 ? `, … (${domain.length})` : ""}` : f.intDomain || f.floatDomain ? esc(JSON.stringify(f.intDomain ?? f.floatDomain)) : "";
        return [esc(f.name), esc(f.type ?? ""), f.presence?.minFraction !== undefined ? num(f.presence.minFraction) : "", values];
      });
      return `<p class="muted">From <code>${esc(ref)}</code></p>${table(["feature", "type", "min presence", "domain"], rows)}`;
    })
    .join("");
}

function anomaliesSection(found: ReportData["anomalies"]): string {
  if (!found.length) return `<p class="muted">This run did not validate its data.</p>`;
  return found
    .map(({ ref, value }) => {
      const rows = Object.entries(value).flatMap(([split, list]) => list.map((a) => [esc(split), esc(a.feature ?? "(dataset)"), esc(a.severity), esc(a.shortDescription), esc(a.description)]));
      return `<p class="muted">From <code>${esc(ref)}</code></p>${rows.length ? table(["split", "feature", "severity", "anomaly", "description"], rows) : `<p class="ok">No anomalies in ${Object.keys(value).map(esc).join(", ")}.</p>`}`;
    })
    .join("");
}

/** Group a history's series into charts: `loss` with `val_loss`, `accuracy` with `val_accuracy`, ... */
function curveGroups(history: ModelInfo["history"]): [string, Record<string, readonly number[]>][] {
  const groups = new Map<string, Record<string, readonly number[]>>();
  for (const [name, values] of Object.entries(history).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const base = name.replace(/^val_/, "");
    const g = groups.get(base) ?? {};
    g[name] = values;
    groups.set(base, g);
  }
  return [...groups.entries()];
}

function trainingSection(found: readonly Found<ModelInfo>[], charts: Charts): string {
  if (!found.length) return `<p class="muted">This run trained no model.</p>`;
  return found
    .map(({ ref, value: m }) => {
      const facts = table(
        ["trainer", "framework", "task", "seed", "backend", "epochs", "kept epoch", "stopped early"],
        [[esc(`${m.trainer.kind}: ${m.trainer.name}`), esc(m.framework), esc(m.spec.label.kind), String(m.seed), esc(m.backend ?? "—"), String(m.epochs), String(m.bestEpoch + 1), m.stoppedEarly ? "yes" : "no"]],
      );
      const curves = curveGroups(m.history).map(([base, series]) => charts.curves(series, base)).join("");
      return `<p class="muted">From <code>${esc(ref)}</code></p>${facts}<div class="grid">${curves || `<p class="muted">No per-epoch metrics.</p>`}</div>`;
    })
    .join("");
}

const MAIN_METRIC: Readonly<Record<string, string>> = { binary: "auc", multiclass: "accuracy", regression: "rmse" };

function metricsTable(slices: readonly SliceResult[]): string {
  const names = [...new Set(slices.flatMap((s) => Object.keys(s.metrics)))];
  return table(["slice", "examples", ...names], slices.map((s) => [esc(s.slice), `<span class="n">${num(s.exampleCount)}</span>`, ...names.map((n) => `<span class="n">${num(s.metrics[n] ?? null)}</span>`)]));
}

function evaluationSection(found: readonly Found<Evaluation>[], charts: Charts): string {
  if (!found.length) return `<p class="muted">This run evaluated no model.</p>`;
  return found
    .map(({ ref, value: e }) => {
      const b = e.blessing;
      const blessing = `<p>${b.blessed ? `<span class="ok">Blessed</span>` : `<span class="bad">Not blessed</span>`}: ${b.reasons.map(esc).join("; ")}</p>`;
      const status = (c: ThresholdCheck): string => (c.status === "passed" ? `<span class="ok">passed</span>` : c.status === "failed" ? `<span class="bad">failed</span>` : `<span class="muted">skipped</span>`);
      const checks = b.checks.length ? table(["metric", "split", "slice", "kind", "value", "baseline", "result", ""], b.checks.map((c) => [esc(c.metric), esc(c.split), esc(c.slice), esc(c.kind), num(c.value), num(c.baseline), status(c), esc(c.message)])) : "";
      const splits = e.splits
        .map((s) => {
          const main = MAIN_METRIC[e.task] ?? Object.keys(s.overall.metrics)[0] ?? "";
          const bars = s.slices.filter((x) => typeof x.metrics[main] === "number").map((x) => ({ slice: x.slice, value: x.metrics[main] as number }));
          const o = s.overall;
          const plots = [
            o.confusionMatrix ? `<div class="card"><h3>Confusion matrix</h3>${charts.confusion(o.confusionMatrix.labels, o.confusionMatrix.matrix)}</div>` : "",
            o.calibration ? `<div class="card"><h3>Calibration</h3>${charts.calibration(o.calibration)}</div>` : "",
            o.residualHistogram ? `<div class="card"><h3>Residuals</h3>${charts.residuals(o.residualHistogram)}</div>` : "",
          ].join("");
          return `<h3>Split <code>${esc(s.split)}</code></h3>${metricsTable([o, ...s.slices])}${bars.length ? `<div class="card"><h3>${esc(main)} per slice</h3>${charts.sliceBars([{ slice: "Overall", value: o.metrics[main] ?? 0 }, ...bars], main)}</div>` : ""}<div class="grid">${plots}</div>`;
        })
        .join("");
      return `<p class="muted">From <code>${esc(ref)}</code> — task ${esc(e.task)}, label <code>${esc(e.label)}</code></p>${blessing}${checks}${splits}`;
    })
    .join("");
}

function overview(data: ReportData): string {
  const r = data.run;
  const env = (r.environment ?? {}) as { koanVersion?: string; nodeVersion?: string; git?: { commit?: string; dirty?: boolean } | null };
  const config = (r.config ?? {}) as { seed?: number };
  const duration = r.endedAt ? `${((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000).toFixed(1)} s` : "running";
  const facts = table(["pipeline", "run", "status", "started", "duration", "seed", "Koan", "Node", "git"], [[esc(r.pipeline), `<code>${esc(r.id)}</code>`, esc(r.status), esc(r.startedAt), duration, String(config.seed ?? "—"), esc(env.koanVersion ?? "—"), esc(env.nodeVersion ?? "—"), esc(env.git?.commit ? `${env.git.commit.slice(0, 12)}${env.git.dirty ? " (dirty)" : ""}` : "—")]]);
  const steps = table(
    ["step", "status", "cache", "duration", "parameters"],
    data.steps.map((s) => [esc(s.step), esc(s.status), s.cacheHit ? "hit" : "miss", s.durationMs === null ? "—" : `${num(s.durationMs)} ms`, `<code>${esc(JSON.stringify(s.params))}</code>`]),
  );
  const problems = data.problems.length ? `<div class="warn">${data.problems.map((p) => `Could not read <code>${esc(p.ref)}</code>: ${esc(p.message)}`).join("<br>")}</div>` : "";
  return `${problems}${facts}${steps}`;
}

/** Render the report of collected run data as one HTML document. */
export async function renderReport(data: ReportData): Promise<string> {
  const charts = await loadCharts();
  const r = data.run;
  const header = `<h1>${esc(r.pipeline)}</h1><div class="muted">Run <code>${esc(r.id)}</code> · ${esc(r.status)} · ${esc(r.startedAt)}</div>`;
  const body = [
    section("overview", "Overview", overview(data)),
    section("data", "Data statistics", statisticsSection(data.statistics, charts)),
    section("schema", "Schema", schemaSection(data.schemas)),
    section("anomalies", "Anomalies", anomaliesSection(data.anomalies)),
    section("training", "Training", trainingSection(data.models, charts)),
    section("evaluation", "Evaluation", evaluationSection(data.evaluations, charts)),
  ].join("\n");
  return page(`${r.pipeline} — run ${r.id}`, header, [["overview", "Overview"], ["data", "Data"], ["schema", "Schema"], ["anomalies", "Anomalies"], ["training", "Training"], ["evaluation", "Evaluation"]], body);
}
