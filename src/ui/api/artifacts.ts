/** Routes: `GET /api/artifacts/:id`, `/api/artifacts/:id/preview`, `/api/artifacts/:id/lineage`. @module */
import { Hono } from "hono";
import { KoanError } from "../../core/errors.js";
import type { JsonValue } from "../../core/hash.js";
import type { ArtifactView, LineageView, Preview } from "../api-types.js";
import { jsonHandler, type UiContext } from "../context.js";
import { previewArtifact } from "../preview.js";
import { artifactSummary } from "../run-view.js";

/** JSON artifacts' meta carries the first 200 characters of the value, unredacted: the preview endpoint shows it instead. */
function withoutJsonPreview(materializer: string, meta: JsonValue): JsonValue {
  if (materializer !== "koan.json" || meta === null || typeof meta !== "object" || Array.isArray(meta)) return meta;
  const { preview: _dropped, ...rest } = meta;
  return rest;
}

export function artifactsRoutes(ui: UiContext): Hono {
  const app = new Hono();
  const md = ui.koan.metadata;
  app.get(
    "/:id",
    jsonHandler(ui, async (c): Promise<ArtifactView> => {
      const a = await ui.koan.resolveArtifact(c.req.param("id") as string);
      const events = await md.eventsOfArtifacts([a.id]);
      const stepRuns = new Map<string, { runId: string; step: string }>();
      for (const id of new Set(events.map((e) => e.stepRunId))) {
        const s = await md.getStepRun(id);
        if (s) stepRuns.set(id, { runId: s.runId, step: s.step });
      }
      const ref = (e: (typeof events)[number]) => {
        const s = stepRuns.get(e.stepRunId);
        return s ? [{ runId: s.runId, step: s.step, stepRunId: e.stepRunId, port: e.port }] : [];
      };
      const outputs = events.filter((e) => e.kind === "output");
      const made = outputs.find((e) => e.stepRunId === a.producerStepRun);
      return {
        artifact: { ...artifactSummary(a), materializer: a.materializer, materializerVersion: a.materializerVersion, uri: a.uri, meta: withoutJsonPreview(a.materializer, a.meta), blobs: (await md.artifactBlobs(a.id)).length },
        producer: made ? (ref(made)[0] ?? null) : null,
        consumers: events.filter((e) => e.kind === "input").flatMap(ref),
        reusedBy: outputs.filter((e) => e !== made).flatMap(ref),
      };
    }),
  );
  app.get("/:id/preview", jsonHandler(ui, async (c): Promise<Preview> => previewArtifact(ui.koan, await ui.koan.resolveArtifact(c.req.param("id") as string))));
  app.get(
    "/:id/lineage",
    jsonHandler(ui, async (c): Promise<LineageView> => {
      const direction = c.req.query("direction") ?? "up";
      if (direction !== "up" && direction !== "down") throw new KoanError("USAGE", `direction must be up or down, got "${direction}"`);
      return ui.koan.lineage(c.req.param("id") as string, direction);
    }),
  );
  return app;
}
