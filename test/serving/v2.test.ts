import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type ModelServer } from "../../src/serving/server.js";
import type { ServableModel } from "../../src/serving/model.js";
import { fitPenguins, penguinRows, penguinServable, penguinV2Request, predictPenguin, type PenguinWeights } from "./models.js";
import { call, postChunked } from "./helpers.js";

let server: ModelServer;
let weights: PenguinWeights;
const infer = (body: unknown, path = "/v2/models/penguins/infer") => call(`${server.url}${path}`, body);
const { rows } = penguinRows();

before(async () => {
  weights = fitPenguins();
  const broken: ServableModel = {
    name: "broken",
    version: "7",
    signature: { inputs: [{ name: "x", datatype: "FP64", shape: [-1] }], outputs: [{ name: "y", datatype: "FP64", shape: [-1] }] },
    predict: async (r) => {
      if (r.some((x) => x.x === 13)) throw new Error("unlucky input");
      if (r.some((x) => x.x === 7)) return [];
      if (r.some((x) => x.x === 8)) return r.map(() => ({ y: [1, 2] }));
      return r.map((x) => ({ y: x.x as number }));
    },
  };
  server = await startServer([penguinServable(weights), broken], { port: 0, maxBodyBytes: 64 * 1024, onError: () => undefined });
});
after(() => server.close());

describe("Open Inference Protocol REST: health and metadata", () => {
  test("health, server metadata, model metadata and model readiness", async () => {
    assert.deepEqual((await call(`${server.url}/v2/health/live`)).body, { live: true });
    const ready = await call(`${server.url}/v2/health/ready`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { ready: true });
    const meta = await call(`${server.url}/v2`);
    assert.equal(meta.body.name, "koan");
    assert.deepEqual(meta.body.extensions, ["binary_tensor_data"]);
    assert.equal(typeof meta.body.version, "string");
    const model = await call(`${server.url}/v2/models/penguins`);
    assert.equal(model.status, 200);
    assert.equal(model.body.name, "penguins");
    assert.deepEqual(model.body.versions, ["1"]);
    assert.equal(model.body.platform, "koan");
    assert.deepEqual((model.body.inputs as { name: string }[]).map((i) => i.name), ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"]);
    assert.deepEqual(model.body.outputs, [{ name: "species", datatype: "BYTES", shape: [-1] }, { name: "probabilities", datatype: "FP64", shape: [-1, 3] }]);
    assert.deepEqual((await call(`${server.url}/v2/models/penguins/versions/1`)).body.name, "penguins");
    assert.deepEqual((await call(`${server.url}/v2/models/penguins/ready`)).body, { name: "penguins", ready: true });
    assert.deepEqual((await call(`${server.url}/v2/models/broken/versions/7/ready`)).body, { name: "broken", ready: true });
  });

  test("unknown models, versions and routes are 404 with an error body; wrong methods are 405", async () => {
    for (const path of ["/v2/models/nope", "/v2/models/nope/ready", "/v2/models/penguins/versions/2", "/v2/models/penguins/versions/2/ready"]) {
      const r = await call(`${server.url}${path}`);
      assert.equal(r.status, 404, path);
      assert.match(String(r.body.error), /nope|version "2"/);
    }
    const r = await infer(penguinV2Request(rows.slice(0, 1)), "/v2/models/penguins/versions/9/infer");
    assert.equal(r.status, 404);
    assert.match(String(r.body.error), /no version "9"/);
    assert.equal((await call(`${server.url}/v3/whatever`)).status, 404);
    assert.equal((await call(`${server.url}/v2/models/penguins/explode`)).status, 404);
    const wrong = await call(`${server.url}/v2/models/penguins/infer`, undefined, "GET");
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
    assert.equal((await call(`${server.url}/v2/health/live`, {}, "POST")).status, 405);
  });
});

describe("Open Inference Protocol REST: inference", () => {
  test("server predictions equal in-process predictions for every penguin, flat and nested data", async () => {
    for (let i = 0; i < rows.length; i += 50) {
      const chunk = rows.slice(i, i + 50).map((r) => ({ ...r, sex: r.sex ?? "" }));
      const r = await infer(penguinV2Request(chunk, `req-${i}`));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.id, `req-${i}`);
      assert.equal(r.body.model_name, "penguins");
      assert.equal(r.body.model_version, "1");
      const [species, probs] = r.body.outputs as { name: string; shape: number[]; datatype: string; data: unknown[] }[];
      assert.equal(species?.name, "species");
      assert.deepEqual(species?.shape, [chunk.length]);
      assert.deepEqual(probs?.shape, [chunk.length, 3]);
      assert.equal(probs?.datatype, "FP64");
      chunk.forEach((row, j) => {
        const want = predictPenguin(row, weights);
        assert.equal(species?.data[j], want.species);
        assert.deepEqual(probs?.data.slice(j * 3, j * 3 + 3), want.probabilities);
      });
    }
    // The same rows as nested [n, 1] tensors and with an optional input left out.
    const two = rows.slice(0, 2);
    const body = penguinV2Request(two.map((r) => ({ ...r, sex: null })));
    (body.inputs as { shape: number[]; data: unknown[] }[]).forEach((t) => {
      t.shape = [2, 1];
      t.data = t.data.map((v) => [v]);
    });
    const r = await infer(body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body.outputs as { data: unknown[] }[])[0]?.data, two.map((x) => predictPenguin({ ...x, sex: null }, weights).species));
  });

  test("requested outputs limit the answer; parameters are accepted", async () => {
    const r = await infer({ ...penguinV2Request(rows.slice(0, 3)), parameters: { content_type: "np", binary_data_output: true }, outputs: [{ name: "probabilities", parameters: { binary_data: false } }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body.outputs as { name: string }[]).map((o) => o.name), ["probabilities"]);
    assert.equal(r.body.id, undefined);
  });

  const base = () => penguinV2Request(rows.slice(0, 2)) as { inputs: Record<string, unknown>[] } & Record<string, unknown>;
  const cases: [string, () => unknown, number, RegExp][] = [
    ["invalid JSON", () => "{not json", 400, /not valid JSON/],
    ["empty body", () => "", 400, /empty/],
    ["a list body", () => [1, 2], 400, /JSON object/],
    ["no inputs", () => ({ inputs: [] }), 400, /inputs must be a non-empty list/],
    ["an unknown input", () => ({ inputs: [...base().inputs, { name: "beak_colour", datatype: "BYTES", shape: [2], data: ["a", "b"] }] }), 400, /unknown input "beak_colour"/],
    ["a missing input", () => ({ inputs: base().inputs.filter((i) => i.name !== "island") }), 400, /missing input "island"/],
    ["an input given twice", () => ({ inputs: [...base().inputs, base().inputs[0]] }), 400, /"island" is given twice/],
    ["a wrong datatype", () => ({ inputs: base().inputs.map((i) => (i.name === "island" ? { ...i, datatype: "FP32" } : i)) }), 400, /input "island": datatype FP32 does not match the model's BYTES/],
    ["an unknown datatype", () => ({ inputs: base().inputs.map((i) => (i.name === "island" ? { ...i, datatype: "STRING" } : i)) }), 400, /input "island": unknown datatype/],
    ["a string in a numeric tensor", () => ({ inputs: base().inputs.map((i) => (i.name === "bill_depth_mm" ? { ...i, data: [1, "deep"] } : i)) }), 400, /input "bill_depth_mm": element 1 must be a number/],
    ["a fraction in an INT64 tensor", () => ({ inputs: base().inputs.map((i) => (i.name === "body_mass_g" ? { ...i, data: [3750.5, 1] } : i)) }), 400, /input "body_mass_g": element 0 must be an integer/],
    ["too few elements", () => ({ inputs: base().inputs.map((i) => (i.name === "bill_length_mm" ? { ...i, data: [1] } : i)) }), 400, /input "bill_length_mm": data holds 1 elements but shape \[2\] needs 2/],
    ["a shape that does not fit", () => ({ inputs: base().inputs.map((i) => (i.name === "bill_length_mm" ? { ...i, shape: [2, 2], data: [1, 2, 3, 4] } : i)) }), 400, /input "bill_length_mm": shape \[2,2\] does not fit the model's shape \[-1\]/],
    ["mismatched batch sizes", () => ({ inputs: base().inputs.map((i) => (i.name === "island" ? { ...i, shape: [1], data: ["Dream"] } : i)) }), 400, /batch size/],
    ["nested data against its shape", () => ({ inputs: base().inputs.map((i) => (i.name === "bill_length_mm" ? { ...i, shape: [2, 1], data: [[1], [2, 3]] } : i)) }), 400, /input "bill_length_mm": nested data does not match shape/],
    ["a negative dimension", () => ({ inputs: base().inputs.map((i) => (i.name === "bill_length_mm" ? { ...i, shape: [-2] } : i)) }), 400, /input "bill_length_mm": shape \[-2\] must hold whole numbers/],
    ["an input without data", () => ({ inputs: base().inputs.map((i) => (i.name === "island" ? { ...i, data: undefined } : i)) }), 400, /input "island": data is required/],
    ["an unknown requested output", () => ({ ...base(), outputs: [{ name: "colour" }] }), 400, /unknown output "colour"/],
    ["bad parameters", () => ({ ...base(), parameters: { nested: { a: 1 } } }), 400, /parameter "nested"/],
    ["a non-string id", () => ({ ...base(), id: 42 }), 400, /id must be a string/],
    ["binary request data", () => ({ inputs: base().inputs.map((i, j) => (j === 0 ? { ...i, parameters: { binary_data_size: 8 } } : i)) }), 400, /binary/],
  ];
  for (const [what, body, status, message] of cases) {
    test(`${what} → ${status} with an error body naming it`, async () => {
      const r = await infer(body());
      assert.equal(r.status, status, r.text);
      assert.deepEqual(Object.keys(r.body), ["error"]);
      assert.match(String(r.body.error), message);
    });
  }

  test("model failures are 500s for that request only; broken answers are 500s; the server keeps serving", async () => {
    const x = (v: number) => ({ inputs: [{ name: "x", datatype: "FP64", shape: [1], data: [v] }] });
    const failing = await infer(x(13), "/v2/models/broken/infer");
    assert.equal(failing.status, 500);
    assert.match(String(failing.body.error), /model "broken" failed: unlucky input/);
    const empty = await infer(x(7), "/v2/models/broken/infer");
    assert.equal(empty.status, 500);
    assert.match(String(empty.body.error), /answered 0 rows for 1/);
    const shaped = await infer(x(8), "/v2/models/broken/infer");
    assert.equal(shaped.status, 500);
    assert.match(String(shaped.body.error), /output "y" has shape \[2\] per row, not \[\]/);
    const ok = await infer(x(2.5), "/v2/models/broken/versions/7/infer");
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.outputs, [{ name: "y", datatype: "FP64", shape: [1], data: [2.5] }]);
  });

  test("bodies over the limit are 413, by Content-Length or while streaming; the server survives", async () => {
    const big = JSON.stringify({ inputs: [{ name: "x", datatype: "FP64", shape: [30000], data: new Array(30000).fill(1.5) }] });
    const r = await infer(big, "/v2/models/broken/infer");
    assert.equal(r.status, 413);
    assert.match(String(r.body.error), /limit/);
    const chunked = await postChunked(`${server.url}/v2/models/broken/infer`, [Buffer.from(big.slice(0, 40_000)), Buffer.from(big.slice(40_000))]);
    assert.equal(chunked.status, 413);
    const ok = await infer(penguinV2Request(rows.slice(0, 1)));
    assert.equal(ok.status, 200);
  });

  test("/metrics counts requests by route and status, latency and batch sizes in Prometheus text", async () => {
    await infer(penguinV2Request(rows.slice(0, 4)));
    const m = await call(`${server.url}/metrics`);
    assert.equal(m.status, 200);
    assert.match(m.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.match(m.text, /^# TYPE koan_serving_requests_total counter$/m);
    assert.match(m.text, /^koan_serving_requests_total\{protocol="v2",route="\/v2\/models\/\{name\}\/infer",code="200"\} \d+$/m);
    assert.match(m.text, /^koan_serving_requests_total\{protocol="v2",route="\/v2\/models\/\{name\}\/infer",code="400"\} \d+$/m);
    assert.match(m.text, /^koan_serving_requests_total\{protocol="v2",route="\/v2\/models\/\{name\}\/infer",code="413"\} \d+$/m);
    assert.match(m.text, /^koan_serving_request_duration_seconds_bucket\{protocol="v2",route="\/v2\/models\/\{name\}\/infer",le="\+Inf"\} \d+$/m);
    assert.match(m.text, /^koan_serving_batch_size_rows_bucket\{le="4"\} [1-9]\d*$/m);
    assert.match(m.text, /^koan_serving_model_info\{model="penguins",version="1"\} 1$/m);
    assert.ok(server.metrics.count("v2", "/v2/models/{name}/infer", 400) >= 20);
  });
});
