/**
 * `notebookFor`: a Jupyter notebook (nbformat 4.5) for Deno's TypeScript kernel (`deno jupyter --install`),
 * pre-filled with cells that open the run through Koan's client API and show its steps, statistics, training
 * curves and sliced metrics — and from there raw access to every result (`koan.load(ref)`).
 *
 * The cells import Koan from the installation that wrote the notebook (a `file://` URL) unless another
 * specifier is given, and draw charts with Koan's own chart functions, so the notebook needs no extra package.
 * @module
 */
import { sha256 } from "../core/hash.js";
import type { ReportData } from "./collect.js";

/** One notebook cell (nbformat 4.5). */
export interface NotebookCell {
  readonly id: string;
  readonly cell_type: "markdown" | "code";
  readonly metadata: Record<string, never>;
  readonly source: string[];
  readonly outputs?: never[];
  readonly execution_count?: null;
}

/** A notebook document (nbformat 4.5). */
export interface Notebook {
  readonly nbformat: 4;
  readonly nbformat_minor: 5;
  readonly metadata: {
    readonly kernelspec: { readonly name: "deno"; readonly display_name: "Deno"; readonly language: "typescript" };
    readonly language_info: { readonly name: "typescript"; readonly file_extension: ".ts"; readonly mimetype: "text/x.typescript"; readonly codemirror_mode: "typescript"; readonly pygments_lexer: "typescript"; readonly version: string };
    readonly koan: { readonly run: string; readonly pipeline: string };
  };
  readonly cells: NotebookCell[];
}

function lines(text: string): string[] {
  const all = text.replace(/^\n+|\n+$/g, "").split("\n");
  return all.map((l, i) => (i < all.length - 1 ? `${l}\n` : l));
}

/** Options of {@link notebookFor}. */
export interface NotebookOptions {
  /** The project folder the notebook opens. */
  projectDir: string;
  /** How the cells import Koan (default: the `file://` URL of this Koan's entry point). */
  importFrom?: string;
}

/** Build the notebook of a run's collected data. */
export function notebookFor(data: ReportData, options: NotebookOptions): Notebook {
  const from = options.importFrom ?? new URL("../index.js", import.meta.url).href;
  const run = data.run;
  const cells: NotebookCell[] = [];
  const add = (cell_type: "markdown" | "code", text: string): void => {
    const id = `c${cells.length}-${sha256(`${run.id}\0${cells.length}\0${text}`).slice(0, 8)}`;
    cells.push(cell_type === "code" ? { id, cell_type, metadata: {}, source: lines(text), outputs: [], execution_count: null } : { id, cell_type, metadata: {}, source: lines(text) });
  };
  const js = (v: unknown): string => JSON.stringify(v);

  add("markdown", `# ${run.pipeline} — run \`${run.id}\`\n\nStatus **${run.status}**, started ${run.startedAt}. This notebook runs on Deno's Jupyter kernel (\`deno jupyter --install\`, then pick the *Deno* kernel); every cell uses Koan's client API, so \`koan.load(ref)\` gives raw access to any result of the run.`);
  add(
    "code",
    `import { Koan, loadCharts } from ${js(from)};

const koan = await Koan.open({ dir: ${js(options.projectDir)} });
const charts = await loadCharts();
/** Show SVG or HTML in the notebook (Deno's kernel), or print a note elsewhere. */
const show = (html: string) => (globalThis as any).Deno?.jupyter?.display?.({ "text/html": html }, { raw: true }) ?? console.log(\`[chart: \${html.length} bytes]\`);
const run = await koan.runDetails(${js(run.id)});
console.table(run.steps.map((s) => ({ step: s.step, status: s.status, cache: s.cacheHit ? "hit" : "miss", ms: s.durationMs })));`,
  );

  for (const s of data.statistics) {
    add("markdown", `## Statistics per split\n\nFrom \`${s.ref}\` (TFDV's \`DatasetFeatureStatistics\`, one per split).`);
    add(
      "code",
      `const statistics = (await koan.load(${js(s.ref)})) as any[];
for (const split of statistics) {
  console.log(\`split \${split.name}: \${split.numExamples} rows\`);
  console.table(split.features.map((f: any) => {
    const n = f.numStats, c = n?.commonStats ?? f.stringStats?.commonStats;
    return { feature: f.name, type: f.type, missing: c?.numMissing, mean: n?.mean, std: n?.stdDev, min: n?.min, max: n?.max, unique: f.stringStats?.unique };
  }));
}
for (const f of statistics[0]?.features ?? []) {
  if (f.numStats?.histograms?.[0]) show(\`<b>\${f.name}</b><br>\` + charts.histogram(f.numStats.histograms[0].buckets));
  else if (f.stringStats?.topValues) show(\`<b>\${f.name}</b><br>\` + charts.topValues(f.stringStats.topValues));
}`,
    );
  }
  for (const m of data.models) {
    add("markdown", `## Training curves\n\nFrom \`${m.ref}\`: the metrics of every epoch, as the trainer recorded them.`);
    add(
      "code",
      `const model = (await koan.load(${js(m.ref)})) as any;
const history: Record<string, number[]> = model.info.history;
console.table(Object.fromEntries(Object.entries(history).map(([k, v]) => [k, v.at(-1)])));
for (const base of [...new Set(Object.keys(history).map((k) => k.replace(/^val_/, "")))]) {
  show(charts.curves(Object.fromEntries(Object.entries(history).filter(([k]) => k.replace(/^val_/, "") === base)), base));
}`,
    );
  }
  for (const e of data.evaluations) {
    add("markdown", `## Metrics overall and per slice\n\nFrom \`${e.ref}\`. Blessed: **${e.value.blessing.blessed ? "yes" : "no"}**.`);
    add(
      "code",
      `const evaluation = (await koan.load(${js(e.ref)})) as any;
for (const split of evaluation.splits) {
  console.log(\`split \${split.split}\`);
  console.table([split.overall, ...split.slices].map((s: any) => ({ slice: s.slice, examples: s.exampleCount, ...s.metrics })));
  const cm = split.overall.confusionMatrix;
  if (cm) show(charts.confusion(cm.labels, cm.matrix));
}
console.log(evaluation.blessing.reasons.join("\\n"));`,
    );
  }
  const refs = data.steps.flatMap((s) => Object.keys(s.outputs).map((port) => `${run.id}/${s.step}/${port}`));
  add("markdown", `## Every result of the run\n\nLoad any of them with \`await koan.load(ref)\`:\n\n${refs.map((r) => `- \`${r}\``).join("\n")}`);
  add("code", `await koan.close();`);
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript", file_extension: ".ts", mimetype: "text/x.typescript", codemirror_mode: "typescript", pygments_lexer: "typescript", version: "5" },
      koan: { run: run.id, pipeline: run.pipeline },
    },
    cells,
  };
}
