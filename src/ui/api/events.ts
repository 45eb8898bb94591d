/**
 * Live views over server-sent events: `GET /api/runs/:id/events` sends `update` whenever the run's state, its
 * steps' states or its metrics change (and ends once the run has finished); `GET /api/events/runs` sends `update`
 * whenever runs are added, deleted or change state. The server polls the store every `pollMs`; clients refetch
 * on `update`.
 * @module
 */
import { Hono, type Context } from "hono";
import { streamSSE, type SSEStreamingApi } from "hono/streaming";
import { sendError } from "../errors.js";
import type { UiContext } from "../context.js";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `read` and send an `update` event each time its fingerprint changes; stop when `done` or the client leaves. */
async function watch(stream: SSEStreamingApi, ui: UiContext, read: () => Promise<{ fingerprint: string; data: object; done: boolean }>): Promise<void> {
  let last = "";
  let closed = false;
  stream.onAbort(() => {
    closed = true;
  });
  let id = 0;
  while (!closed) {
    try {
      const now = await read();
      if (now.fingerprint !== last) {
        last = now.fingerprint;
        await stream.writeSSE({ event: "update", data: JSON.stringify(now.data), id: String(++id) });
      }
      if (now.done) {
        await stream.writeSSE({ event: "end", data: JSON.stringify(now.data) });
        break;
      }
    } catch (e) {
      await stream.writeSSE({ event: "problem", data: JSON.stringify({ message: e instanceof Error ? e.message : String(e) }) });
    }
    await sleep(ui.pollMs);
  }
}

export function eventRoutes(ui: UiContext): Hono {
  const app = new Hono();
  const md = ui.koan.metadata;
  app.get("/runs/:id/events", async (c: Context) => {
    let runId: string;
    try {
      runId = (await ui.koan.getRun(c.req.param("id") as string)).id;
    } catch (e) {
      return sendError(c, e, md);
    }
    return streamSSE(c, (stream) =>
      watch(stream, ui, async () => {
        const run = await md.getRun(runId);
        const steps = await md.listStepRuns(runId);
        const metrics = (await md.metricsOfRun(runId)).length;
        const status = run?.status ?? "deleted";
        const fingerprint = JSON.stringify([status, run?.endedAt, steps.map((s) => [s.step, s.status, s.endedAt]), metrics]);
        return { fingerprint, data: { runId, status, steps: steps.length, metrics }, done: status !== "running" };
      }),
    );
  });
  app.get("/events/runs", (c: Context) =>
    streamSSE(c, (stream) =>
      watch(stream, ui, async () => {
        const [count, newest, running] = await Promise.all([md.countRuns(), md.listRuns({ limit: 1 }), md.runningRuns()]);
        const fingerprint = JSON.stringify([count, newest[0]?.id, running.map((r) => r.id).sort()]);
        return { fingerprint, data: { count, newest: newest[0]?.id ?? null, running: running.length }, done: false };
      }),
    ),
  );
  return app;
}
