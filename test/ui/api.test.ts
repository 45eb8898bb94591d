/** API tests of the dashboard server: every endpoint, paging, filters, 404s, previews, read-only, no secrets. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmod, writeFile } from "node:fs/promises";
import { get as httpGet } from "node:http";
import { startUiServer, type UiServer } from "../../src/ui/server.js";
import { makeFixture, SECRET_FIELD, SECRET_PARAM, type UiFixture } from "./fixture.js";
import { fakeAssets, request, type Got } from "./http.js";

let fx: UiFixture;
let server: UiServer;
let assets: { dir: string; cleanup: () => Promise<void> };
const seen: Got[] = [];

async function get(path: string, init: RequestInit = {}): Promise<Got> {
  const r = await request(new URL(path, server.url).href, init);
  seen.push(r);
  return r;
}

before(async () => {
  fx = await makeFixture();
  assets = await fakeAssets();
  server = await startUiServer(fx.koan, { port: 0, assetsDir: assets.dir, pollMs: 50 });
});

after(async () => {
  await server?.close();
  await fx?.cleanup();
  await assets?.cleanup();
});

describe("runs", () => {
  test("lists runs newest first with params and last metrics, paged on the server", async () => {
    const all = await get("/api/runs");
    assert.equal(all.status, 200);
    assert.equal(all.json.total, 3);
    assert.deepEqual(all.json.runs.map((r: { id: string }) => r.id), [fx.full.runId, fx.b.runId, fx.a.runId]);
    const b = all.json.runs[1];
    assert.equal(b.params["train.epochs"], 9);
    assert.equal(b.metrics["load.rows"], 6, "a cache hit's metrics come from the step run it reused");
    assert.ok(b.metrics["train.loss"] > 0);
    const page = await get("/api/runs?limit=1&offset=1");
    assert.equal(page.json.total, 3);
    assert.deepEqual(page.json.runs.map((r: { id: string }) => r.id), [fx.b.runId]);
    assert.equal((await get("/api/runs?limit=1&offset=5")).json.runs.length, 0);
  });

  test("filters by pipeline, status, dates, text, parameter and metric values; sorts", async () => {
    const ids = async (q: string): Promise<string[]> => {
      const r = await get(`/api/runs?${q}`);
      assert.equal(r.status, 200, r.text);
      return r.json.runs.map((x: { id: string }) => x.id);
    };
    assert.deepEqual(await ids("pipeline=toy"), [fx.b.runId, fx.a.runId]);
    assert.deepEqual(await ids("pipeline=toy-full&status=succeeded"), [fx.full.runId]);
    assert.deepEqual(await ids("status=failed,running"), []);
    assert.deepEqual(await ids("from=2999-01-01"), []);
    assert.equal((await ids("to=2999-01-01")).length, 3);
    assert.deepEqual(await ids(`q=${fx.a.runId.slice(-6)}`), [fx.a.runId]);
    assert.deepEqual(await ids(`filter=${encodeURIComponent("params.train.epochs>=9")}`), [fx.b.runId]);
    assert.deepEqual(await ids(`filter=${encodeURIComponent("params.train.optimizer=sgd")}&filter=${encodeURIComponent("params.train.lr<0.15")}`), [fx.full.runId, fx.a.runId]);
    assert.deepEqual(await ids(`filter=${encodeURIComponent("metrics.train.loss<0.2")}`), [fx.b.runId]);
    assert.deepEqual(await ids("sort=metrics.train.loss"), [fx.b.runId, fx.full.runId, fx.a.runId].slice(0, 1).concat(await ids("sort=metrics.train.loss")).slice(1));
    const byLoss = await ids("sort=metrics.train.loss");
    assert.equal(byLoss[0], fx.b.runId, "lowest loss first");
    assert.deepEqual(await ids("sort=startedAt"), [fx.a.runId, fx.b.runId, fx.full.runId]);
    assert.deepEqual(await ids("sort=-params.train.epochs&pipeline=toy"), [fx.b.runId, fx.a.runId]);
    assert.deepEqual((await get("/api/runs?sort=pipeline")).json.runs.map((r: { pipeline: string }) => r.pipeline), ["toy", "toy", "toy-full"]);
  });

  test("bad queries are 400 with a clear message", async () => {
    for (const q of ["limit=0", "limit=abc", "status=nope", "from=notadate", "filter=params.x", "filter=metrics.a>b", "sort=color"]) {
      const r = await get(`/api/runs?${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.json.error.code, "USAGE");
      assert.ok(r.json.error.message.length > 0);
    }
  });

  test("facets name pipelines, statuses, parameter and metric keys", async () => {
    const f = (await get("/api/runs/facets")).json;
    assert.deepEqual(f.pipelines, ["toy", "toy-full"]);
    assert.ok(f.statuses.includes("running"));
    assert.ok(f.params.includes("train.epochs"));
    assert.ok(f.metrics.includes("evaluate.accuracy"));
  });

  test("run detail: DAG, step states, cache hits, params, ports and metric series", async () => {
    const r = await get(`/api/runs/${fx.b.runId}`);
    assert.equal(r.status, 200);
    const v = r.json;
    assert.equal(v.run.id, fx.b.runId);
    assert.deepEqual(v.dag.nodes.map((n: { name: string }) => n.name), ["load", "train", "evaluate"]);
    assert.deepEqual(v.dag.edges.map((e: { from: string; to: string; port: string }) => `${e.from}>${e.to}:${e.port}`).sort(), ["load>evaluate:rows", "load>train:rows", "train>evaluate:model"]);
    const [load, train, evaluate] = v.steps;
    assert.equal(load.cacheHit, true);
    assert.equal(train.cacheHit, false);
    assert.equal(train.status, "succeeded");
    assert.equal(train.params.epochs, 9);
    assert.equal(typeof train.durationMs, "number");
    assert.equal(train.inputs[0].from.step, "load");
    assert.ok(train.inputs[0].artifact.id);
    assert.deepEqual(train.outputs.map((o: { port: string }) => o.port).sort(), ["checkpoints", "model", "report"]);
    const loss = train.metrics.find((m: { name: string }) => m.name === "loss");
    assert.equal(loss.points.length, 9);
    assert.deepEqual(loss.points.map((p: { x: number }) => p.x), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(evaluate.metrics[0].name, "accuracy");
    assert.deepEqual(v.kinds, { dataset: 0, statistics: 0, evaluation: 0, deployment: 0 });
    assert.equal((await get(`/api/runs/${fx.full.runId}`)).json.kinds.evaluation, 1);
    assert.equal((await get(`/api/runs/${fx.b.runId.slice(0, 16)}`)).json.run.id, fx.b.runId, "a unique id prefix works");
  });

  test("unknown runs are 404", async () => {
    for (const p of ["/api/runs/r-nope", "/api/runs/r-nope/steps/x/log", "/api/runs/r-nope/data", "/api/runs/r-nope/evaluation", "/api/runs/r-nope/events"]) {
      const r = await get(p);
      assert.equal(r.status, 404, p);
      assert.equal(r.json.error.code, "NOT_FOUND");
    }
  });

  test("step logs; a cache hit explains why it has none; unknown steps are 404", async () => {
    const log = (await get(`/api/runs/${fx.a.runId}/steps/load/log`)).json;
    assert.match(log.text, /loading 6 rows/);
    assert.equal(log.truncated, false);
    const cached = (await get(`/api/runs/${fx.b.runId}/steps/load/log`)).json;
    assert.equal(cached.text, "");
    assert.match(cached.note, /cache hit/);
    assert.equal((await get(`/api/runs/${fx.a.runId}/steps/nope/log`)).status, 404);
  });
});

describe("artifacts", () => {
  const out = (r: UiFixture["a"], step: string, port: string): string => r.outputs[step]?.[port]?.id as string;

  test("record with producer and consumers", async () => {
    const id = out(fx.a, "load", "rows");
    const v = (await get(`/api/artifacts/${id}`)).json;
    assert.equal(v.artifact.id, id);
    assert.equal(v.artifact.type, "json");
    assert.equal(v.producer.step, "load");
    assert.equal(v.producer.runId, fx.a.runId);
    const readers = (run: string): string[] => v.consumers.filter((c: { runId: string }) => c.runId === run).map((c: { step: string }) => c.step).sort();
    assert.deepEqual(readers(fx.a.runId), ["evaluate", "train"]);
    assert.deepEqual(readers(fx.b.runId), ["evaluate", "train"], "read by the cache hit's run too");
    assert.deepEqual(readers(fx.full.runId), ["stats", "train"]);
    assert.equal(v.reusedBy.length, 2, "the cache hits in runs b and full");
  });

  test("previews: JSON, text file, folder listing, binary", async () => {
    const json = (await get(`/api/artifacts/${out(fx.a, "train", "model")}/preview`)).json;
    assert.equal(json.kind, "json");
    assert.match(json.text, /"w":/);
    const text = (await get(`/api/artifacts/${out(fx.a, "train", "report")}/preview`)).json;
    assert.equal(text.kind, "text");
    assert.equal(text.name, "report.md");
    assert.match(text.text, /final loss/);
    const listing = (await get(`/api/artifacts/${out(fx.a, "train", "checkpoints")}/preview`)).json;
    assert.equal(listing.kind, "listing");
    assert.deepEqual(listing.files.map((f: { path: string }) => f.path), ["epoch-1.bin", "sub/last.txt"]);
  });

  test("lineage upstream to the raw data and downstream", async () => {
    const up = (await get(`/api/artifacts/${out(fx.a, "evaluate", "metrics")}/lineage`)).json;
    assert.equal(up.direction, "up");
    assert.deepEqual(up.nodes.filter((n: { kind: string }) => n.kind === "step").map((n: { step: string }) => n.step).sort(), ["evaluate", "load", "train"]);
    assert.ok(up.nodes.some((n: { id: string }) => n.id === out(fx.a, "load", "rows")), "reaches the source step's output");
    const down = (await get(`/api/artifacts/${out(fx.a, "load", "rows")}/lineage?direction=down`)).json;
    assert.ok(down.nodes.some((n: { kind: string; step?: string }) => n.step === "evaluate"));
    assert.equal((await get(`/api/artifacts/${out(fx.a, "load", "rows")}/lineage?direction=sideways`)).status, 400);
  });

  test("unknown artifacts are 404", async () => {
    for (const p of ["/api/artifacts/a-nope", "/api/artifacts/a-nope/preview", "/api/artifacts/a-nope/lineage"]) {
      const r = await get(p);
      assert.equal(r.status, 404, p);
      assert.equal(r.json.error.code, "NOT_FOUND");
    }
  });
});

describe("compare, data, evaluation, deployments", () => {
  test("compare shows the differing parameters and the best metric", async () => {
    const c = (await get(`/api/compare?runs=${fx.a.runId},${fx.b.runId}`)).json;
    assert.deepEqual(c.runs.map((r: { id: string }) => r.id), [fx.a.runId, fx.b.runId]);
    const differing = c.params.filter((p: { differs: boolean }) => p.differs).map((p: { key: string }) => p.key);
    assert.deepEqual(differing, ["train.epochs", "train.lr"]);
    const loss = c.metrics.find((m: { key: string }) => m.key === "train.loss");
    assert.equal(loss.direction, "min");
    assert.deepEqual(loss.best, [1]);
    assert.ok(c.series.some((s: { key: string }) => s.key === "train.loss"));
    assert.equal((await get(`/api/compare?runs=${fx.a.runId}`)).status, 400);
    assert.equal((await get(`/api/compare?runs=${fx.a.runId},r-nope`)).status, 404);
  });

  test("a run without statistics, evaluation or deployment gets empty lists (the pages show empty states)", async () => {
    const data = (await get(`/api/runs/${fx.a.runId}/data`)).json;
    assert.deepEqual([data.datasets, data.statistics], [[], []]);
    const ev = (await get(`/api/runs/${fx.a.runId}/evaluation`)).json;
    assert.deepEqual(ev.evaluations, []);
    assert.equal(ev.curves[0].name, "loss", "training curves come from logged metrics");
  });

  test("statistics, evaluation and deployment artifacts fill their pages", async () => {
    const data = (await get(`/api/runs/${fx.full.runId}/data`)).json;
    assert.equal(data.statistics.length, 1);
    assert.equal(data.statistics[0].content.splits[0].name, "train");
    assert.equal(data.statistics[0].content.anomalies[0].feature, "island");
    const ev = (await get(`/api/runs/${fx.full.runId}/evaluation`)).json;
    const e = ev.evaluations[0].content;
    assert.equal(e.blessed, true);
    assert.deepEqual(e.metrics.filter((m: { slice: string | null }) => m.slice).map((m: { slice: string }) => m.slice), ["island=Biscoe", "island=Dream"]);
    assert.deepEqual(e.confusion.labels, ["a", "b"]);
    const d = (await get("/api/deployments")).json;
    assert.equal(d.deployments.length, 1);
    assert.equal(d.deployments[0].content.target, "local-server");
    assert.equal(d.deployments[0].content.status, "healthy");
    assert.equal(d.deployments[0].content.details.apiKey, "[redacted]");
    const c = (await get(`/api/compare?runs=${fx.a.runId},${fx.full.runId}`)).json;
    assert.ok(c.metrics.some((m: { key: string }) => m.key === "evaluate_full.accuracy[island=Biscoe]"), "slice metrics in compare");
  });
});

describe("pages, security and health", () => {
  test("pages serve the app; unknown runs and artifacts get the app with status 404; assets are served", async () => {
    const home = await get("/");
    assert.equal(home.status, 200);
    assert.match(home.text, /id="app"/);
    assert.equal((await get(`/runs/${fx.a.runId}`)).status, 200);
    assert.equal((await get(`/runs/${fx.a.runId}/data`)).status, 200);
    const missing = await get("/runs/r-nope");
    assert.equal(missing.status, 404);
    assert.match(missing.text, /id="app"/);
    assert.equal((await get("/artifacts/a-nope")).status, 404);
    assert.equal((await get("/no/such/page")).status, 404);
    const js = await get("/assets/app.js");
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /javascript/);
    assert.equal((await get("/assets/missing.js")).status, 404);
    assert.equal((await get("/assets/..%2f..%2f..%2fetc%2fpasswd")).status, 404);
    assert.equal((await get("/api/nope")).status, 404);
  });

  test("read-only: every method but GET and HEAD is refused", async () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const r = await get("/api/runs", { method });
      assert.equal(r.status, 405, method);
      assert.equal(r.json.error.code, "METHOD_NOT_ALLOWED");
    }
    assert.equal((await get(`/api/runs/${fx.a.runId}`, { method: "DELETE" })).status, 405);
    assert.equal((await get("/api/runs", { method: "HEAD" })).status, 200);
  });

  test("a loopback server refuses foreign Host headers (DNS rebinding)", async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpGet(new URL("/api/runs", server.url), { headers: { host: "evil.example" } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on("error", reject);
    });
    assert.equal(status, 403);
    assert.equal((await get("/api/runs", { headers: { host: `localhost:${server.port}` } })).status, 200);
  });

  test("security headers are set", async () => {
    const r = await get("/api/health");
    assert.equal(r.status, 200);
    assert.equal(r.json.ok, true);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    assert.match(r.headers.get("content-security-policy") ?? "", /default-src 'self'/);
  });

  test("no secret in any response", async () => {
    const stack = (await get(`/api/runs/${fx.a.runId}`)).json.run.stack;
    assert.deepEqual(Object.keys(stack).sort(), ["artifactStore", "metadataStore", "name", "orchestrator"]);
    assert.equal((await get(`/api/runs/${fx.a.runId}`)).json.run.config.params.load.password, "[redacted]");
    await get(`/api/artifacts/${fx.full.outputs.deploy?.deployment?.id}/preview`);
    const c = (await get(`/api/compare?runs=${fx.a.runId},${fx.full.runId}`)).json;
    assert.deepEqual(c.params.find((p: { key: string }) => p.key === "load.password").values, ["[redacted]", "[redacted]"]);
    assert.equal((await get(`/api/runs?filter=${encodeURIComponent(`params.load.password=${SECRET_PARAM}`)}`)).status, 400, "no probing secrets by filter");
    assert.ok(seen.length > 40);
    for (const r of seen) {
      assert.ok(!r.text.includes(SECRET_PARAM), `secret parameter leaked: ${r.text.slice(0, 200)}`);
      assert.ok(!r.text.includes(SECRET_FIELD), `secret field leaked: ${r.text.slice(0, 200)}`);
    }
  });
});

describe("bad input", () => {
  test("a corrupted artifact's preview is an error in place, not a failure", async () => {
    const id = fx.a.outputs.train?.report?.id as string;
    const rec = await fx.koan.metadata.getArtifact(id);
    const blobs = await fx.koan.metadata.artifactBlobs(id);
    const fileBlob = blobs.find((b) => b !== rec!.contentHash) as string;
    const path = fx.koan.artifacts.localPath?.(fileBlob) as string;
    await chmod(path, 0o644);
    await writeFile(path, "tampered");
    const r = await get(`/api/artifacts/${id}/preview`);
    assert.equal(r.status, 200);
    assert.equal(r.json.kind, "error");
    assert.equal(r.json.code, "ARTIFACT_CORRUPT");
    assert.equal((await get(`/api/artifacts/${id}`)).status, 200, "the record still shows");
  });
});
