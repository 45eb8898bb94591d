import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { MicroBatcher } from "../../src/serving/batcher.js";
import type { FeatureValue, ServableModel } from "../../src/serving/model.js";
import { startServer, type ModelServer } from "../../src/serving/server.js";
import { fitPenguins, penguinRows, penguinServable, penguinV2Request, predictPenguin, type PenguinWeights } from "./models.js";
import { call } from "./helpers.js";

type Row = Record<string, FeatureValue>;
const echo = (calls: number[][]): ServableModel => ({
  name: "echo",
  version: "1",
  signature: { inputs: [{ name: "x", datatype: "FP64", shape: [-1] }], outputs: [{ name: "y", datatype: "FP64", shape: [-1] }] },
  predict: async (rows) => {
    calls.push(rows.map((r) => r.x as number));
    if (rows.some((r) => r.x === -1)) throw new Error("negative one");
    return rows.map((r) => ({ y: (r.x as number) * 10 }));
  },
});

describe("MicroBatcher", () => {
  test("requests submitted together share predict calls of at most maxBatchSize rows, each getting its own answers", async () => {
    const calls: number[][] = [];
    const b = new MicroBatcher(echo(calls), { maxBatchSize: 64 });
    const requests = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? [{ x: i }, { x: i + 0.5 }] : [{ x: i }]));
    const answers = await Promise.all(requests.map((rows) => b.submit(rows)));
    answers.forEach((a, i) => assert.deepEqual(a, (requests[i] as Row[]).map((r) => ({ y: (r.x as number) * 10 }))));
    assert.ok(calls.length >= 2 && calls.length < 10, `calls: ${calls.map((c) => c.length)}`);
    assert.ok(calls.every((c) => c.length <= 64));
    assert.equal(calls.flat().length, 134);
  });

  test("a failing batch is retried request by request: only the bad request fails", async () => {
    const calls: number[][] = [];
    const b = new MicroBatcher(echo(calls), { maxBatchSize: 8 });
    const [good1, bad, good2] = await Promise.allSettled([b.submit([{ x: 1 }]), b.submit([{ x: -1 }]), b.submit([{ x: 2 }])]);
    assert.deepEqual(good1, { status: "fulfilled", value: [{ y: 10 }] });
    assert.equal(bad?.status, "rejected");
    assert.match(String((bad as PromiseRejectedResult).reason), /negative one/);
    assert.deepEqual(good2, { status: "fulfilled", value: [{ y: 20 }] });
    assert.deepEqual(calls[0], [1, -1, 2]);
  });

  test("disabled batching predicts each request alone; drain waits for queued work", async () => {
    const calls: number[][] = [];
    const off = new MicroBatcher(echo(calls), { enabled: false });
    await Promise.all([off.submit([{ x: 1 }]), off.submit([{ x: 2 }])]);
    assert.deepEqual(calls, [[1], [2]]);
    const waiting = new MicroBatcher(echo(calls), { maxWaitMs: 10_000 });
    const p = waiting.submit([{ x: 3 }]);
    assert.equal(waiting.waiting, 1);
    await waiting.drain();
    assert.deepEqual(await p, [{ y: 30 }]);
    assert.throws(() => new MicroBatcher(echo(calls), { maxBatchSize: 0 }), /maxBatchSize/);
  });
});

describe("micro-batching over HTTP under concurrency", () => {
  let server: ModelServer;
  let weights: PenguinWeights;
  const sizes: number[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const N = 150;

  before(async () => {
    weights = fitPenguins();
    // The first predict call waits until every other request is queued, so later calls must batch them.
    const model = penguinServable(weights, { onPredict: async (n) => { sizes.push(n); if (sizes.length === 1) await gate; } });
    server = await startServer(model, { port: 0, batching: { maxBatchSize: 32, maxWaitMs: 0, maxInFlight: 1 } });
  });
  after(() => server.close());

  test(`${N} concurrent requests with distinct inputs each get their own predictions`, async () => {
    const { rows } = penguinRows();
    const mine = Array.from({ length: N }, (_, i) => ({ ...(rows[i % rows.length] as Row), sex: "FEMALE", bill_length_mm: 30 + i * 0.17, body_mass_g: 3000 + i }));
    const pending = mine.map((row, i) => call(`${server.url}/v2/models/penguins/infer`, penguinV2Request([row], `r${i}`)));
    while (sizes.length === 0 || server.queued + (sizes[0] as number) < N) await new Promise((r) => setTimeout(r, 5));
    release();
    const answers = await Promise.all(pending);
    answers.forEach((a, i) => {
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.id, `r${i}`);
      const want = predictPenguin(mine[i] as Row, weights);
      const [species, probs] = a.body.outputs as { data: unknown[] }[];
      assert.deepEqual(species?.data, [want.species]);
      assert.deepEqual(probs?.data, want.probabilities);
    });
    assert.equal(sizes.reduce((a, b) => a + b, 0), N);
    assert.equal(Math.max(...sizes), 32, `batch sizes: ${sizes.join(",")}`);
    const metrics = (await call(`${server.url}/metrics`)).text;
    assert.match(metrics, /^koan_serving_batch_size_rows_bucket\{le="32"\} (\d+)$/m);
  });
});
