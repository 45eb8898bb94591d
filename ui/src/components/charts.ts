/** Chart builders over Observable Plot: metric curves, bars, parallel coordinates, histograms, matrices. */
import * as Plot from "@observablehq/plot";

const base = { style: { fontSize: "12px", background: "transparent" }, marginLeft: 56 } as const;

/** Metric values over time, one line per series (runs or metrics). */
export function lineChart(series: { label: string; points: { x: number; value: number }[] }[], opts: { width?: number; height?: number; y?: string; x?: string } = {}) {
  const data = series.flatMap((s) => s.points.map((p) => ({ series: s.label, x: p.x, value: p.value })));
  return Plot.plot({
    ...base,
    width: opts.width ?? 560,
    height: opts.height ?? 240,
    grid: true,
    x: { label: opts.x ?? "step" },
    y: { label: opts.y ?? null },
    color: { legend: series.length > 1, type: "categorical" },
    marks: [
      Plot.lineY(data, { x: "x", y: "value", stroke: "series", strokeWidth: 1.8 }),
      Plot.dot(data.filter((_, i) => data.length < 60 || i % Math.ceil(data.length / 60) === 0), { x: "x", y: "value", fill: "series", r: 2 }),
      Plot.tip(data, Plot.pointerX({ x: "x", y: "value", stroke: "series", title: (d: { series: string; x: number; value: number }) => `${d.series}\nstep ${d.x}: ${d.value}` })),
    ],
  });
}

/** One bar per run for a metric; the best bars are highlighted. */
export function metricBars(rows: { label: string; value: number; best: boolean }[], opts: { width?: number; title?: string } = {}) {
  return Plot.plot({
    ...base,
    marginLeft: 110,
    marginRight: 56,
    width: opts.width ?? 420,
    height: 40 + rows.length * 26,
    x: { grid: true, label: opts.title ?? null },
    y: { label: null, domain: rows.map((r) => r.label) },
    marks: [
      Plot.barX(rows, { y: "label", x: "value", fill: (d: { best: boolean }) => (d.best ? "#2f6f5e" : "#9bb8ae") }),
      Plot.text(rows, { y: "label", x: "value", text: (d: { value: number }) => String(Number(d.value.toPrecision(4))), dx: 4, textAnchor: "start" }),
      Plot.ruleX([0]),
    ],
  });
}

/** A parallel-coordinates chart: one axis per dimension (numbers scaled to their range, text values in order), lines coloured by a metric. */
export function parallelCoordinates(
  runs: { label: string; dims: Record<string, number | string | null>; metric: number | null }[],
  dims: string[],
  metricName: string,
  opts: { width?: number } = {},
) {
  const scales = dims.map((d) => {
    const vals = runs.map((r) => r.dims[d]).filter((v): v is number | string => v !== null && v !== undefined);
    if (vals.every((v) => typeof v === "number")) {
      const nums = vals as number[];
      const lo = Math.min(...nums);
      const hi = Math.max(...nums);
      return { d, lo: String(Number(lo.toPrecision(4))), hi: String(Number(hi.toPrecision(4))), f: (v: number | string) => (hi === lo ? 0.5 : ((v as number) - lo) / (hi - lo)) };
    }
    const cats = [...new Set(vals.map(String))].sort();
    return { d, lo: cats[0] ?? "", hi: cats[cats.length - 1] ?? "", f: (v: number | string) => (cats.length < 2 ? 0.5 : cats.indexOf(String(v)) / (cats.length - 1)) };
  });
  const rows = runs.flatMap((r) =>
    scales.flatMap((s) => {
      const v = r.dims[s.d];
      return v === null || v === undefined ? [] : [{ run: r.label, dim: s.d, y: s.f(v), raw: v, metric: r.metric }];
    }),
  );
  return Plot.plot({
    ...base,
    width: opts.width ?? Math.max(480, dims.length * 140),
    height: 300,
    marginTop: 16,
    marginBottom: 40,
    marginLeft: 40,
    marginRight: 40,
    x: { type: "point", domain: dims, label: null, padding: 0.3 },
    y: { domain: [0, 1], axis: null },
    color: { type: "linear", scheme: "viridis", legend: true, label: metricName },
    marks: [
      Plot.ruleX(dims, { stroke: "#bbb" }),
      Plot.lineY(rows, { x: "dim", y: "y", z: "run", stroke: "metric", strokeWidth: 2, strokeOpacity: 0.85 }),
      Plot.dot(rows, { x: "dim", y: "y", fill: "metric", r: 3.5, title: (d: { run: string; dim: string; raw: unknown; metric: number | null }) => `${d.run}\n${d.dim} = ${String(d.raw)}\n${metricName} = ${d.metric ?? "–"}` }),
      Plot.text(scales, { x: "d", y: 1, text: "hi", dx: 6, textAnchor: "start", fill: "#555" }),
      Plot.text(scales, { x: "d", y: 0, text: "lo", dx: 6, textAnchor: "start", fill: "#555" }),
    ],
  });
}

/** A small histogram of buckets. */
export function histogram(buckets: readonly { lowValue: number; highValue: number; sampleCount: number }[], opts: { width?: number; height?: number } = {}) {
  return Plot.plot({
    width: opts.width ?? 220,
    height: opts.height ?? 70,
    margin: 2,
    marginBottom: 14,
    style: { fontSize: "9px", background: "transparent" },
    x: { ticks: 2, label: null },
    y: { axis: null },
    marks: [Plot.rectY(buckets, { x1: "lowValue", x2: "highValue", y: "sampleCount", fill: "#5b8c7e", inset: 0.5 })],
  });
}

/** Horizontal bars of the top values of a categorical feature. */
export function topValues(values: readonly { value: string; frequency: number }[], opts: { width?: number } = {}) {
  const rows = values.slice(0, 8);
  return Plot.plot({
    width: opts.width ?? 220,
    height: 12 + rows.length * 14,
    marginLeft: 80,
    marginTop: 2,
    marginBottom: 2,
    style: { fontSize: "9px", background: "transparent" },
    x: { axis: null },
    y: { label: null, domain: rows.map((r) => r.value) },
    marks: [Plot.barX(rows, { y: "value", x: "frequency", fill: "#c98f3a" })],
  });
}

/** A confusion matrix heat map. */
export function confusionMatrix(labels: string[], matrix: number[][]) {
  const cells = labels.flatMap((actual, i) => labels.map((predicted, j) => ({ actual, predicted, n: matrix[i]?.[j] ?? 0 })));
  return Plot.plot({
    ...base,
    marginLeft: 90,
    marginBottom: 60,
    width: 120 + labels.length * 70,
    height: 90 + labels.length * 44,
    x: { label: "predicted", domain: labels, tickRotate: -20 },
    y: { label: "actual", domain: labels },
    color: { scheme: "blues" },
    marks: [Plot.cell(cells, { x: "predicted", y: "actual", fill: "n", inset: 1 }), Plot.text(cells, { x: "predicted", y: "actual", text: "n", fill: (d: { n: number }) => (d.n > 0 ? "black" : "#999") })],
  });
}

/** A calibration plot: observed rate against mean prediction per bin. */
export function calibration(points: { predicted: number; observed: number; count: number }[]) {
  return Plot.plot({
    ...base,
    width: 320,
    height: 300,
    grid: true,
    x: { domain: [0, 1], label: "mean prediction" },
    y: { domain: [0, 1], label: "observed" },
    marks: [Plot.line([[0, 0], [1, 1]], { stroke: "#bbb", strokeDasharray: "4 3" }), Plot.line(points, { x: "predicted", y: "observed", stroke: "#2f6f5e" }), Plot.dot(points, { x: "predicted", y: "observed", r: "count", fill: "#2f6f5e" })],
  });
}
