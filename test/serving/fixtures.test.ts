/**
 * The real KServe request bodies (../shared/fixtures/requests/kserve) against servables whose signatures fit
 * them: each is accepted or refused with the right status on the protocol it was written for.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as Grpc from "@grpc/grpc-js";
import { startServer, type ModelServer } from "../../src/serving/server.js";
import { loadInferenceService } from "../../src/serving/grpc/proto.js";
import { SHARED } from "../helpers.js";
import { flowersServable, irisServable, titanicServable, wineServable } from "./models.js";
import { call } from "./helpers.js";

const DIR = join(SHARED, "fixtures", "requests", "kserve");
const skip = existsSync(DIR) ? false : "the shared KServe request fixtures are absent";
const fixture = (name: string): string => readFileSync(join(DIR, name), "utf8");

describe("KServe request fixtures", { skip }, () => {
  let server: ModelServer;
  before(async () => {
    server = await startServer([irisServable(), titanicServable(), wineServable(), flowersServable()], {
      port: 0,
      grpcPort: 0,
      vertex: { predictRoute: "/predict", healthRoute: "/health" },
    });
  });
  after(() => server.close());

  const rest: [file: string, path: string, status: number, check?: (body: Record<string, unknown>) => void][] = [
    ["autogluon_titanic_input_v2.json", "/v2/models/titanic/infer", 200, (b) => assert.deepEqual(b.outputs, [{ name: "Survived", datatype: "INT64", shape: [2], data: [0, 1] }])],
    ["iris_input_v2.json", "/v2/models/iris/infer", 200, (b) => assert.deepEqual(b.outputs, [{ name: "output-0", datatype: "INT64", shape: [2], data: [1, 1] }])],
    ["pmml-input-v2.json", "/v2/models/iris/infer", 200, (b) => assert.deepEqual((b.outputs as { data: unknown[] }[])[0]?.data, [0])],
    ["mlflow_input_v2.json", "/v2/models/wine/infer", 200, (b) => assert.equal((b.outputs as { shape: number[] }[])[0]?.shape[0], 1)],
    // The gRPC rendering (contents.fp32_contents) is not a REST body: it has no "data".
    ["iris_input_v2_grpc.json", "/v2/models/iris/infer", 400, (b) => assert.match(String(b.error), /input "input-0": data is required/)],
    // V1 bodies sent to the V2 endpoint are refused; on TF Serving and Vertex AI routes they are accepted.
    ["iris_input.json", "/v2/models/iris/infer", 400, (b) => assert.match(String(b.error), /inputs must be a non-empty list/)],
    ["iris_input.json", "/v1/models/iris:predict", 200, (b) => assert.deepEqual(b.predictions, [1, 1])],
    ["iris_input.json", "/predict", 200, (b) => assert.deepEqual(b.predictions, [1, 1])],
    ["iris_batch_input.json", "/v1/models/iris:predict", 400, (b) => assert.match(String(b.error), /JSON object/)],
    ["tf_flowers_instances_b64.json", "/v1/models/flowers:predict", 200, (b) => {
      const [p] = b.predictions as { key: string; size: number; jpeg: boolean }[];
      assert.equal(p?.key, "   1");
      assert.equal(p?.jpeg, true);
      assert.ok((p?.size ?? 0) > 1000);
    }],
    ["tf_flowers_instances_b64.json", "/v2/models/flowers/infer", 400],
    ["autogluon_titanic_input_v2.json", "/v2/models/iris/infer", 400, (b) => assert.match(String(b.error), /unknown input "PassengerId"/)],
  ];
  for (const [file, path, status, check] of rest) {
    test(`${file} → POST ${path} → ${status}`, async () => {
      const r = await call(`${server.url}${path}`, fixture(file));
      assert.equal(r.status, status, r.text);
      check?.(r.body);
    });
  }

  for (const [file, path] of [["iris_input_v2_binary.json", "/v2/models/iris/infer"], ["iris_input_v2_all_binary.json", "/v2/models/iris/versions/1/infer"]] as const) {
    test(`${file} → POST ${path} → 200 with the output as binary data`, async () => {
      const res = await fetch(`${server.url}${path}`, { method: "POST", body: fixture(file), headers: { "content-type": "application/json" } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/octet-stream");
      const body = Buffer.from(await res.arrayBuffer());
      const n = Number(res.headers.get("inference-header-content-length"));
      const header = JSON.parse(body.subarray(0, n).toString("utf8")) as { outputs: { name: string; datatype: string; shape: number[]; parameters: { binary_data_size: number }; data?: unknown }[] };
      assert.deepEqual(header.outputs, [{ name: "output-0", datatype: "INT64", shape: [2], parameters: { binary_data_size: 16 } }]);
      const raw = body.subarray(n);
      assert.equal(raw.length, 16);
      assert.deepEqual([raw.readBigInt64LE(0), raw.readBigInt64LE(8)], [1n, 1n]);
    });
  }

  test("iris_batch_input.json: each of its bodies is accepted by TF Serving :predict", async () => {
    const bodies = JSON.parse(fixture("iris_batch_input.json")) as unknown[];
    for (const body of bodies) {
      const r = await call(`${server.url}/v1/models/iris:predict`, body);
      assert.equal(r.status, 200, r.text);
      assert.equal((r.body.predictions as unknown[]).length, 2);
    }
  });

  test("iris_input_v2_grpc.json is accepted by gRPC ModelInfer", async () => {
    const { grpc, Service } = await loadInferenceService();
    const client = new Service(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure());
    try {
      const body = JSON.parse(fixture("iris_input_v2_grpc.json")) as Record<string, unknown>;
      const r = await new Promise<Record<string, unknown>>((resolve, reject) =>
        (client as unknown as Record<string, (q: unknown, cb: (e: Grpc.ServiceError | null, r: Record<string, unknown>) => void) => void>).ModelInfer?.call(client, { model_name: "iris", ...body }, (e, v) => (e ? reject(e) : resolve(v))),
      );
      assert.deepEqual((r.outputs as { contents: { int64_contents: number[] } }[])[0]?.contents.int64_contents, [1, 1]);
    } finally {
      client.close();
    }
  });
});
