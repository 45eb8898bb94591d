/**
 * Charts of a report, drawn with Observable Plot into static SVG on the server (a linkedom document stands in for
 * the browser's), so the HTML needs no script and no network to show them. Both libraries are loaded only when
 * a report is rendered.
 * @module
 */
import type { CalibrationBin, HistogramBin } from "../evaluate/types.js";
import type { FreqAndValue, HistogramBucket } from "../data/stats/types.js";

/** The chart functions; each returns an SVG element's markup. */
export interface Charts {
  /** A numeric feature's histogram. */
  histogram(buckets: readonly HistogramBucket[], options?: { width?: number; height?: number }): string;
  /** A categorical feature's most frequent values. */
  topValues(values: readonly FreqAndValue[], options?: { width?: number }): string;
  /** Training curves: one line per metric series over epochs. */
  curves(series: Readonly<Record<string, readonly number[]>>, title: string): string;
  /** One bar per slice for a metric. */
  sliceBars(rows: readonly { slice: string; value: number }[], metric: string): string;
  /** A confusion matrix heat map (rows: true class, columns: predicted). */
  confusion(labels: readonly string[], matrix: readonly (readonly number[])[]): string;
  /** Reliability diagram: mean prediction against observed frequency, with the diagonal. */
  calibration(bins: readonly CalibrationBin[]): string;
  /** Residual histogram (regression). */
  residuals(bins: readonly HistogramBin[]): string;
}

/** Load Plot and linkedom and return the chart functions. */
export async function loadCharts(): Promise<Charts> {
  const Plot = await import("@observablehq/plot");
  const { parseHTML } = await import("linkedom");
  const { document } = parseHTML("<!doctype html><html><head></head><body></body></html>");
  const render = (options: Record<string, unknown>): string => {
    const el = Plot.plot({ document, style: { background: "transparent" }, ...options } as never) as unknown as { outerHTML: string };
    return el.outerHTML;
  };
  return {
    histogram(buckets, o = {}) {
      return render({
        width: o.width ?? 240,
        height: o.height ?? 90,
        marginLeft: 36,
        x: { label: null },
        y: { label: null, grid: true, ticks: 3 },
        marks: [Plot.rectY(buckets as HistogramBucket[], { x1: "lowValue", x2: "highValue", y: "sampleCount", fill: "#4c78a8", inset: 0.5 }), Plot.ruleY([0])],
      });
    },
    topValues(values, o = {}) {
      const top = values.slice(0, 10);
      return render({
        width: o.width ?? 240,
        height: 24 + 16 * top.length,
        marginLeft: 90,
        x: { label: null, grid: true, ticks: 3 },
        y: { label: null, domain: top.map((v) => v.value) },
        marks: [Plot.barX(top as FreqAndValue[], { y: "value", x: "frequency", fill: "#f58518" }), Plot.ruleX([0])],
      });
    },
    curves(series, title) {
      const rows = Object.entries(series).flatMap(([name, values]) => values.map((v, epoch) => ({ name, epoch: epoch + 1, value: v })));
      return render({
        width: 560,
        height: 260,
        title,
        x: { label: "epoch", grid: true },
        y: { label: null, grid: true },
        color: { legend: true },
        marks: [Plot.lineY(rows, { x: "epoch", y: "value", stroke: "name" }), Plot.dot(rows, { x: "epoch", y: "value", fill: "name", r: 1.5 })],
      });
    },
    sliceBars(rows, metric) {
      return render({
        width: 560,
        height: 30 + 20 * rows.length,
        marginLeft: 180,
        marginRight: 48,
        x: { label: metric, grid: true, domain: [0, Math.max(1, ...rows.map((r) => r.value))] },
        y: { label: null, domain: rows.map((r) => r.slice) },
        marks: [Plot.barX(rows as { slice: string; value: number }[], { y: "slice", x: "value", fill: "#54a24b" }), Plot.text(rows as { slice: string; value: number }[], { y: "slice", x: "value", text: (d: { value: number }) => d.value.toFixed(3), dx: 18 }), Plot.ruleX([0])],
      });
    },
    confusion(labels, matrix) {
      const cells = matrix.flatMap((row, i) => row.map((count, j) => ({ actual: labels[i] ?? String(i), predicted: labels[j] ?? String(j), count })));
      return render({
        width: 120 + 70 * labels.length,
        height: 60 + 40 * labels.length,
        marginLeft: 100,
        padding: 0.05,
        x: { label: "predicted", domain: [...labels] },
        y: { label: "actual", domain: [...labels] },
        color: { scheme: "blues" },
        marks: [Plot.cell(cells, { x: "predicted", y: "actual", fill: "count" }), Plot.text(cells, { x: "predicted", y: "actual", text: "count", fill: (d: { count: number }) => (d.count > 0 ? "black" : "#999") })],
      });
    },
    calibration(bins) {
      const points = bins.filter((b) => b.meanPrediction !== null && b.meanLabel !== null);
      return render({
        width: 320,
        height: 300,
        x: { label: "mean prediction", domain: [0, 1], grid: true },
        y: { label: "observed frequency", domain: [0, 1], grid: true },
        marks: [Plot.line([[0, 0], [1, 1]], { stroke: "#bbb", strokeDasharray: "4,3" }), Plot.line(points as CalibrationBin[], { x: "meanPrediction", y: "meanLabel", stroke: "#e45756" }), Plot.dot(points as CalibrationBin[], { x: "meanPrediction", y: "meanLabel", r: (d: CalibrationBin) => Math.max(2, Math.sqrt(d.count)), fill: "#e45756" })],
      });
    },
    residuals(bins) {
      return render({
        width: 560,
        height: 220,
        x: { label: "residual (label − prediction)" },
        y: { label: "rows", grid: true },
        marks: [Plot.rectY(bins as HistogramBin[], { x1: "lower", x2: "upper", y: "count", fill: "#72b7b2", inset: 0.5 }), Plot.ruleY([0])],
      });
    },
  };
}
