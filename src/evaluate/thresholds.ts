/**
 * Thresholds and blessing (TFMA's `MetricThreshold` and the Evaluator's blessing): value thresholds bound a
 * metric; change thresholds bound its change against a baseline evaluation (skipped when there is none, so the
 * first model of a pipeline can be blessed). The model is blessed when no check failed.
 * @module
 */
import { KoanError } from "../core/errors.js";
import { OVERALL } from "./slicing.js";
import type { Blessing, Evaluation, MetricThreshold, SliceResult, SplitEvaluation, ThresholdCheck } from "./types.js";

function findSlice(splits: readonly SplitEvaluation[], split: string, slice: string): SliceResult | undefined {
  const s = splits.find((x) => x.split === split);
  if (!s) return undefined;
  return slice === OVERALL ? s.overall : s.slices.find((x) => x.slice === slice);
}

const fmt = (v: number): string => String(Number(v.toPrecision(6)));

/** Check thresholds against results (and a baseline's), giving the blessing. */
export function bless(
  splits: readonly SplitEvaluation[],
  thresholds: readonly MetricThreshold[],
  baseline: { id: string | null; evaluation: Evaluation } | undefined,
): Blessing {
  const checks: ThresholdCheck[] = [];
  const first = splits[0]?.split ?? "";
  for (const t of thresholds) {
    const split = t.split ?? first;
    const slice = t.slice ?? OVERALL;
    if (!t.value && !t.change) throw new KoanError("USAGE", `threshold on "${t.metric}" sets neither value nor change bounds`);
    if (!splits.some((s) => s.split === split)) {
      throw new KoanError("USAGE", `threshold on "${t.metric}" names split "${split}", which is not evaluated`, { hint: `splits: ${splits.map((s) => s.split).join(", ")}` });
    }
    const where = `${t.metric} on ${split}${slice === OVERALL ? "" : ` slice ${slice}`}`;
    const result = findSlice(splits, split, slice);
    const base = { metric: t.metric, split, slice };
    const overall = (splits.find((s) => s.split === split) as SplitEvaluation).overall;
    if (!(t.metric in overall.metrics)) {
      throw new KoanError("USAGE", `threshold on unknown metric "${t.metric}"`, { hint: `metrics: ${Object.keys(overall.metrics).join(", ")}` });
    }
    const value = result ? (result.metrics[t.metric] ?? null) : null;
    if (t.value) {
      const { lowerBound: lo, upperBound: hi } = t.value;
      let message: string;
      let ok: boolean;
      if (!result) [ok, message] = [false, `${where}: the slice has no examples`];
      else if (value === null) [ok, message] = [false, `${where} is undefined on this data`];
      else {
        ok = (lo === undefined || value >= lo) && (hi === undefined || value <= hi);
        const bounds = [lo !== undefined ? `≥ ${lo}` : "", hi !== undefined ? `≤ ${hi}` : ""].filter(Boolean).join(" and ");
        message = `${where} = ${fmt(value)}, ${ok ? "" : "not "}${bounds}`;
      }
      checks.push({ ...base, kind: "value", status: ok ? "passed" : "failed", value, baseline: null, message });
    }
    if (t.change) {
      const c = t.change;
      const b = baseline ? findSlice(baseline.evaluation.splits, split, slice) : undefined;
      const bv = b ? (b.metrics[t.metric] ?? null) : null;
      if (!baseline) {
        checks.push({ ...base, kind: "change", status: "skipped", value, baseline: null, message: `${where}: no baseline evaluation, change threshold not checked` });
      } else if (bv === null) {
        checks.push({ ...base, kind: "change", status: "skipped", value, baseline: null, message: `${where}: the baseline has no value for it, change threshold not checked` });
      } else if (value === null) {
        checks.push({ ...base, kind: "change", status: "failed", value, baseline: bv, message: `${where} is undefined on this data` });
      } else {
        const diff = value - bv;
        const rel = bv === 0 ? (diff === 0 ? 0 : Math.sign(diff) * Infinity) : diff / Math.abs(bv);
        const higher = c.direction === "higher_is_better";
        const okAbs = c.absolute === undefined || (higher ? diff >= c.absolute : diff <= c.absolute);
        const okRel = c.relative === undefined || (higher ? rel >= c.relative : rel <= c.relative);
        const ok = okAbs && okRel;
        const limits = [c.absolute !== undefined ? `change ${higher ? "≥" : "≤"} ${c.absolute}` : "", c.relative !== undefined ? `relative change ${higher ? "≥" : "≤"} ${c.relative}` : ""].filter(Boolean).join(" and ");
        checks.push({
          ...base,
          kind: "change",
          status: ok ? "passed" : "failed",
          value,
          baseline: bv,
          message: `${where} = ${fmt(value)} vs baseline ${fmt(bv)} (change ${diff >= 0 ? "+" : ""}${fmt(diff)}): ${ok ? "within" : "outside"} ${limits}`,
        });
      }
    }
  }
  const failed = checks.filter((c) => c.status === "failed");
  const reasons = failed.length
    ? failed.map((c) => c.message)
    : thresholds.length === 0
      ? ["no thresholds set"]
      : [`all ${checks.filter((c) => c.status === "passed").length} checked thresholds passed`, ...checks.filter((c) => c.status === "skipped").map((c) => c.message)];
  return {
    blessed: failed.length === 0,
    reasons,
    checks,
    baseline: baseline ? { id: baseline.id, model: baseline.evaluation.model ?? null } : null,
  };
}
