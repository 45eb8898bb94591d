import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { startServer, type ModelServer } from "../../src/serving/server.js";
import { fitPenguins, penguinRows, penguinServable, predictPenguin, type PenguinWeights } from "./models.js";
import { call } from "./helpers.js";

let server: ModelServer;
let weights: PenguinWeights;
const { rows } = penguinRows();
const instances = rows.slice(0, 5).map((r) => ({ ...r, sex: r.sex ?? "" }));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  weights = fitPenguins();
  server = await startServer(penguinServable(weights), { port: 0, env: {} });
});
after(() => server.close());

describe("TF Serving REST", () => {
  test("model status and metadata follow GetModelStatusResponse / GetModelMetadataResponse", async () => {
    const status = await call(`${server.url}/v1/models/penguins`);
    assert.equal(status.status, 200);
    assert.deepEqual(status.body, { model_version_status: [{ version: "1", state: "AVAILABLE", status: { error_code: "OK", error_message: "" } }] });
    assert.equal((await call(`${server.url}/v1/models/penguins/versions/1`)).status, 200);
    const meta = await call(`${server.url}/v1/models/penguins/metadata`);
    const def = (meta.body as { metadata: { signature_def: { signature_def: Record<string, { inputs: Record<string, { dtype: string; tensor_shape: unknown }>; method_name: string }> } } }).metadata.signature_def.signature_def.serving_default;
    assert.equal(def?.method_name, "tensorflow/serving/predict");
    assert.equal(def?.inputs.island?.dtype, "DT_STRING");
    assert.equal(def?.inputs.bill_length_mm?.dtype, "DT_FLOAT");
    assert.deepEqual(def?.inputs.body_mass_g?.tensor_shape, { dim: [{ size: "-1", name: "" }], unknown_rank: false });
    assert.deepEqual((meta.body as { model_spec: unknown }).model_spec, { name: "penguins", signature_name: "", version: "1" });
    const missing = await call(`${server.url}/v1/models/half/metadata`);
    assert.equal(missing.status, 404);
    assert.match(String(missing.body.error), /model "half" is not served here/);
  });

  test(":predict with instances answers predictions (row format) equal to in-process predictions", async () => {
    const r = await call(`${server.url}/v1/models/penguins:predict`, { instances });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.predictions, instances.map((x) => predictPenguin(x, weights)));
    const versioned = await call(`${server.url}/v1/models/penguins/versions/1:predict`, { signature_name: "serving_default", instances });
    assert.equal(versioned.status, 200, versioned.text);
  });

  test(":predict with columnar inputs answers outputs", async () => {
    const columns = Object.fromEntries(Object.keys(instances[0] as object).map((k) => [k, instances.map((x) => (x as Record<string, unknown>)[k])]));
    const r = await call(`${server.url}/v1/models/penguins:predict`, { inputs: columns });
    assert.equal(r.status, 200, r.text);
    const want = instances.map((x) => predictPenguin(x, weights));
    assert.deepEqual(r.body.outputs, { species: want.map((w) => w.species), probabilities: want.map((w) => w.probabilities) });
  });

  const cases: [string, unknown, number, RegExp][] = [
    ["both instances and inputs", { instances, inputs: {} }, 400, /not both/],
    ["neither", { signature: "x" }, 400, /missing "instances" or "inputs"/],
    ["an unknown signature", { signature_name: "classify", instances }, 400, /signature name "classify" not found/],
    ["bare values for a multi-input model", { instances: [1, 2] }, 400, /must be an object keyed by the model's inputs/],
    ["instances with different keys", { instances: [instances[0], { island: "Dream" }] }, 400, /instance 1 has no input "bill_length_mm"/],
    ["a string where a number belongs", { instances: [{ ...instances[0], flipper_length_mm: "long" }] }, 400, /input "flipper_length_mm": element 0 must be a number/],
    ["an unknown feature", { instances: [{ ...instances[0], colour: "blue" }] }, 400, /unknown input "colour"/],
    ["empty instances", { instances: [] }, 400, /non-empty list/],
  ];
  for (const [what, body, status, message] of cases) {
    test(`:predict with ${what} → ${status}`, async () => {
      const r = await call(`${server.url}/v1/models/penguins:predict`, body);
      assert.equal(r.status, status, r.text);
      assert.match(String(r.body.error), message);
    });
  }

  test(":classify and :regress are refused; labels are not supported", async () => {
    assert.equal((await call(`${server.url}/v1/models/penguins:classify`, { examples: [] })).status, 400);
    assert.equal((await call(`${server.url}/v1/models/penguins/labels/stable`)).status, 404);
  });
});

describe("Vertex AI custom-container conventions", () => {
  test("AIP_HTTP_PORT, AIP_HEALTH_ROUTE and AIP_PREDICT_ROUTE are honoured", async () => {
    const port = await freePort();
    const vertex = await startServer(penguinServable(weights), {
      env: { AIP_HTTP_PORT: String(port), AIP_HEALTH_ROUTE: "/health/check", AIP_PREDICT_ROUTE: "/v1/endpoints/123/deployedModels/456:predict" },
    });
    try {
      assert.equal(vertex.port, port);
      assert.equal(vertex.host, "127.0.0.1");
      const health = await call(`${vertex.url}/health/check`);
      assert.equal(health.status, 200);
      const r = await call(`${vertex.url}/v1/endpoints/123/deployedModels/456:predict`, { instances, parameters: { confidence: 0.5 } });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.body, { predictions: instances.map((x) => predictPenguin(x, weights)) });
      const bad = await call(`${vertex.url}/v1/endpoints/123/deployedModels/456:predict`, { rows: [] });
      assert.equal(bad.status, 400);
      assert.match(String(bad.body.error), /missing "instances"/);
      // The V2 routes stay available on the same port.
      assert.equal((await call(`${vertex.url}/v2/health/ready`)).status, 200);
    } finally {
      await vertex.close();
    }
  });
});
