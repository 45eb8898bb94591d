/**
 * A run's metrics including those of its cache hits: a cache hit runs no code and logs nothing, so its metrics are
 * the ones the reused step run logged (attributed to this run's step of the same name).
 * @module
 */
import type { MetadataStore, MetricRecord } from "../stores/metadata/types.js";

/** A metric record with its step's name, and whether it came from a reused (cached) step run. */
export type RunMetric = MetricRecord & { stepName: string; cached: boolean };

/** Every metric of a run, cache hits' metrics taken from the step runs they reused. */
export async function runMetrics(md: MetadataStore, runId: string): Promise<RunMetric[]> {
  const own: RunMetric[] = (await md.metricsOfRun(runId)).map((m) => ({ ...m, cached: false }));
  const steps = await md.listStepRuns(runId);
  const hits = steps.filter((s) => s.cacheHit && s.cachedFrom);
  if (!hits.length) return own;
  const byRun = new Map<string, (MetricRecord & { stepName: string })[]>();
  const out = [...own];
  for (const s of hits) {
    const source = await md.getStepRun(s.cachedFrom as string);
    if (!source) continue;
    let list = byRun.get(source.runId);
    if (!list) {
      list = await md.metricsOfRun(source.runId);
      byRun.set(source.runId, list);
    }
    for (const m of list) if (m.stepRunId === source.id) out.push({ ...m, stepName: s.step, cached: true });
  }
  return out;
}
