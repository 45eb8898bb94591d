/**
 * Routes: `GET /api/runs/:id/data`, `/api/runs/:id/evaluation`, `/api/deployments`, and
 * `/api/deployments/:artifact/health` (a live probe of the deployment's readiness endpoint).
 * @module
 */
import { Hono } from "hono";
import { KoanError } from "../../core/errors.js";
import type { DataView, DeploymentHealth, DeploymentsView, EvaluationView } from "../api-types.js";
import { jsonHandler, type UiContext } from "../context.js";
import { normalizeDataset } from "../kinds/dataset.js";
import { normalizeDeployment } from "../kinds/deployment.js";
import { normalizeEvaluation } from "../kinds/evaluation.js";
import { findKind, readKind } from "../kinds/find.js";
import { flattenAnomalies, normalizeStatistics } from "../kinds/statistics.js";
import { runMetrics } from "../../compare/run-metrics.js";
import { probeDeployment } from "../probe/deployment-health.js";
import { artifactSummary, metricViews } from "../run-view.js";

/** How many of the most recent artifacts the Deployments page scans. */
export const DEPLOYMENT_SCAN = 5000;

export function kindRoutes(ui: UiContext): Hono {
  const app = new Hono();
  const koan = ui.koan;
  app.get(
    "/runs/:id/data",
    jsonHandler(ui, async (c): Promise<DataView> => {
      const ref = c.req.param("id") as string;
      const datasets = await findKind(koan, ref, "dataset");
      const stats = await findKind(koan, ref, "statistics");
      const statistics = await readKind(koan, stats.found, normalizeStatistics);
      // Anomalies of the `validate` step are artifacts of their own: show them with the statistics.
      const anomalies = (await readKind(koan, (await findKind(koan, ref, "anomalies")).found, flattenAnomalies)).flatMap((x) => x.content ?? []);
      for (const item of statistics) if (item.content) item.content.anomalies = [...item.content.anomalies, ...anomalies];
      return { runId: datasets.runId, datasets: await readKind(koan, datasets.found, normalizeDataset), statistics };
    }),
  );
  app.get(
    "/runs/:id/evaluation",
    jsonHandler(ui, async (c): Promise<EvaluationView> => {
      const { runId, found } = await findKind(koan, c.req.param("id") as string, "evaluation");
      const metrics = metricViews(await runMetrics(koan.metadata, runId));
      return {
        runId,
        evaluations: await readKind(koan, found, normalizeEvaluation),
        curves: metrics.filter((m) => m.points.length > 1),
        scalars: metrics.filter((m) => m.points.length === 1),
      };
    }),
  );
  app.get(
    "/deployments",
    jsonHandler(ui, async (): Promise<DeploymentsView> => {
      const out: DeploymentsView["deployments"] = [];
      let scanned = 0;
      for (let offset = 0; offset < DEPLOYMENT_SCAN; offset += 500) {
        const page = await koan.metadata.listArtifacts({ limit: 500, offset });
        scanned += page.length;
        for (const a of page.filter((x) => x.type === "deployment")) {
          const producer = await koan.metadata.getStepRun(a.producerStepRun);
          const run = producer ? await koan.metadata.getRun(producer.runId) : undefined;
          const [item] = await readKind(koan, [{ artifact: a, step: producer?.step ?? "?", port: a.outputName }], normalizeDeployment);
          out.push({ ...(item ?? { artifact: artifactSummary(a), step: "?", port: a.outputName, content: null, error: "unreadable" }), runId: producer?.runId ?? "", runPipeline: run?.pipeline ?? "" });
        }
        if (page.length < 500) break;
      }
      return { deployments: out, scanned };
    }),
  );
  app.get(
    "/deployments/:artifact/health",
    jsonHandler(ui, async (c): Promise<DeploymentHealth> => {
      const a = await koan.resolveArtifact(c.req.param("artifact") as string);
      if (a.type !== "deployment") throw new KoanError("NOT_FOUND", `artifact ${a.id} is a ${a.type} artifact, not a deployment`);
      const [item] = await readKind(koan, [{ artifact: a, step: "", port: a.outputName }], normalizeDeployment);
      if (!item?.content) throw new KoanError("ARTIFACT_CORRUPT", `deployment record ${a.id} cannot be read: ${item?.error ?? "unreadable"}`);
      return probeDeployment(item.content);
    }),
  );
  return app;
}
