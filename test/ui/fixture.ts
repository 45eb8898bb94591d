/**
 * A temp project with a few small runs for the dashboard and compare tests, made through the client API:
 * `toy` twice with different parameters (the second reuses `load` from the cache), and `toy-full`, whose steps
 * also output `statistics`, `evaluation` and `deployment` artifacts, so those pages have something to show.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { Koan, type RunResult } from "../../src/client/client.js";
import { pipeline, type Pipeline } from "../../src/core/pipeline.js";
import { step } from "../../src/core/step.js";
import { defineArtifactType, types as t } from "../../src/core/types.js";
import { jsonMaterializer } from "../../src/materializers/json.js";
import type { Materializer } from "../../src/materializers/types.js";
import { tempDir } from "../helpers.js";

/** A secret parameter value and a secret field value that must never appear in any API response. */
export const SECRET_PARAM = "hunter2-param-secret";
export const SECRET_FIELD = "sk-deploy-secret-42";

const kind = <K extends string>(k: K) => defineArtifactType<unknown, K>(k, jsonMaterializer as Materializer<unknown>, () => undefined);

const load = step({
  name: "load",
  params: z.object({ n: z.number().int().default(6), password: z.string().default(SECRET_PARAM) }),
  outputs: { rows: t.json<number[]>() },
  run: (ctx, _i, { n }) => {
    ctx.log.info(`loading ${n} rows`);
    ctx.log.metric("rows", n);
    return { rows: Array.from({ length: n }, (_, i) => i) };
  },
});

const train = step({
  name: "train",
  inputs: { rows: t.json<number[]>() },
  params: z.object({ epochs: z.number().int().default(5), lr: z.number().default(0.1), optimizer: z.string().default("sgd") }),
  outputs: { model: t.json<{ w: number }>(), report: t.file(), checkpoints: t.dir() },
  run: async (ctx, { rows }, { epochs, lr }) => {
    let loss = 1;
    for (let e = 0; e < epochs; e++) {
      loss *= 1 - lr;
      ctx.log.metric("loss", loss, e);
    }
    ctx.log.info(`trained for ${epochs} epochs`);
    const report = join(ctx.scratchDir, "report.md");
    await writeFile(report, `# Report\n\nfinal loss ${loss.toFixed(4)} on ${rows.length} rows\n`);
    const dir = join(ctx.scratchDir, "ckpt");
    await mkdir(join(dir, "sub"), { recursive: true });
    await writeFile(join(dir, "epoch-1.bin"), Buffer.from([0, 1, 2, 3, 255]));
    await writeFile(join(dir, "sub", "last.txt"), "last");
    return { model: { w: 1 - loss }, report, checkpoints: dir };
  },
});

const evaluate = step({
  name: "evaluate",
  inputs: { model: t.json<{ w: number }>(), rows: t.json<number[]>() },
  outputs: { metrics: t.json<{ accuracy: number }>() },
  run: (ctx, { model }) => {
    ctx.log.metric("accuracy", Math.round(model.w * 1000) / 1000);
    return { metrics: { accuracy: model.w } };
  },
});

/** The `toy` pipeline: load → train → evaluate. */
export const toy: Pipeline = pipeline({
  name: "toy",
  build: () => {
    const { rows } = load();
    const { model } = train({ rows });
    evaluate({ model, rows });
  },
});

const stats = step({
  name: "stats",
  inputs: { rows: t.json<number[]>() },
  outputs: { statistics: kind("statistics") },
  run: (_c, { rows }) => ({
    statistics: {
      datasets: [
        {
          name: "train",
          numExamples: rows.length,
          features: [
            {
              name: "x",
              type: "INT",
              numStats: {
                commonStats: { numNonMissing: rows.length, numMissing: 0, minNumValues: 1, maxNumValues: 1, avgNumValues: 1, totNumValues: rows.length },
                mean: 2.5, stdDev: 1.7, numZeros: 1, min: 0, median: 2, max: rows.length - 1,
                histograms: [{ type: "STANDARD", numNan: 0, numUndefined: 0, buckets: [{ lowValue: 0, highValue: 2.5, sampleCount: 3 }, { lowValue: 2.5, highValue: 5, sampleCount: 3 }] }],
              },
            },
            {
              name: "island",
              type: "STRING",
              stringStats: {
                commonStats: { numNonMissing: rows.length - 1, numMissing: 1, minNumValues: 1, maxNumValues: 1, avgNumValues: 1, totNumValues: rows.length - 1 },
                unique: 2, avgLength: 5.5, invalidUtf8Count: 0,
                topValues: [{ value: "Biscoe", frequency: 3 }, { value: "Dream", frequency: 2 }],
              },
            },
          ],
        },
      ],
      anomalies: [{ feature: "island", severity: "WARNING", description: "1 missing value" }],
    },
  }),
});

const evaluateFull = step({
  name: "evaluate_full",
  inputs: { model: t.json<{ w: number }>() },
  outputs: { evaluation: kind("evaluation") },
  run: (_c, { model }) => ({
    evaluation: {
      overall: { accuracy: model.w, log_loss: 1 - model.w },
      slices: [
        { slice: { island: "Biscoe" }, metrics: { accuracy: 0.9 } },
        { slice: "island=Dream", metrics: { accuracy: 0.7 } },
      ],
      blessed: true,
      reasons: ["accuracy ≥ 0.3"],
      confusion: { labels: ["a", "b"], matrix: [[5, 1], [2, 4]] },
      calibration: [{ predicted: 0.2, observed: 0.25, count: 10 }, { predicted: 0.8, observed: 0.7, count: 12 }],
    },
  }),
});

const deploy = step({
  name: "deploy",
  inputs: { evaluation: kind("evaluation") },
  outputs: { deployment: kind("deployment") },
  run: () => ({ deployment: { target: "local-server", endpoint: "http://127.0.0.1:8500/v2/models/toy", model: "toy@1", status: "healthy", apiKey: SECRET_FIELD, replicas: 1 } }),
});

/** `toy-full`: toy plus statistics, an evaluation with slices, and a deployment. */
export const toyFull: Pipeline = pipeline({
  name: "toy-full",
  build: () => {
    const { rows } = load();
    stats({ rows });
    const { model } = train({ rows });
    const { evaluation } = evaluateFull({ model });
    deploy({ evaluation });
  },
});

/** A project with runs `a` (toy, defaults), `b` (toy, epochs 9, lr 0.2; load cached) and `full` (toy-full). */
export interface UiFixture {
  dir: string;
  koan: Koan;
  a: RunResult;
  b: RunResult;
  full: RunResult;
  cleanup: () => Promise<void>;
}

export async function makeFixture(): Promise<UiFixture> {
  const { dir, cleanup } = await tempDir("koan-ui-");
  const koan = await Koan.open({ dir, init: true });
  const a = await koan.run(toy);
  const b = await koan.run(toy, { params: { train: { epochs: 9, lr: 0.2 } } });
  const full = await koan.run(toyFull);
  for (const r of [a, b, full]) if (r.status !== "succeeded") throw new Error(`fixture run failed: ${r.error?.message}`);
  return {
    dir,
    koan,
    a,
    b,
    full,
    cleanup: async () => {
      await koan.close();
      await cleanup();
    },
  };
}
