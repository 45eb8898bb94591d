import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type * as Grpc from "@grpc/grpc-js";
import { startServer, type ModelServer } from "../../src/serving/server.js";
import { loadInferenceService } from "../../src/serving/grpc/proto.js";
import { fitPenguins, irisServable, penguinRows, penguinServable, predictPenguin, type PenguinWeights } from "./models.js";

let server: ModelServer;
let client: Grpc.Client & Record<string, (req: unknown, cb: (e: Grpc.ServiceError | null, r: Record<string, unknown>) => void) => void>;
let weights: PenguinWeights;
const { rows } = penguinRows();

function rpc(method: string, req: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => (client[method] as (r: unknown, cb: (e: Grpc.ServiceError | null, r: Record<string, unknown>) => void) => void).call(client, req, (e, r) => (e ? reject(e) : resolve(r))));
}

before(async () => {
  weights = fitPenguins();
  server = await startServer([penguinServable(weights), irisServable()], { port: 0, grpcPort: 0 });
  const { grpc, Service } = await loadInferenceService();
  client = new Service(`127.0.0.1:${server.grpcPort}`, grpc.credentials.createInsecure()) as typeof client;
});
after(async () => {
  client.close();
  await server.close();
});

describe("Open Inference Protocol gRPC", () => {
  test("health and metadata RPCs", async () => {
    assert.ok(server.grpcPort && server.grpcPort !== server.port);
    assert.deepEqual(await rpc("ServerLive", {}), { live: true });
    assert.deepEqual(await rpc("ServerReady", {}), { ready: true });
    assert.deepEqual(await rpc("ModelReady", { name: "penguins", version: "1" }), { ready: true });
    const meta = await rpc("ServerMetadata", {});
    assert.equal(meta.name, "koan");
    const model = await rpc("ModelMetadata", { name: "iris" });
    assert.equal(model.name, "iris");
    assert.deepEqual(model.versions, ["1"]);
    assert.deepEqual(model.inputs, [{ name: "input-0", datatype: "FP32", shape: [-1, 4] }]);
  });

  test("ModelInfer with typed contents equals in-process predictions", async () => {
    const batch = rows.slice(0, 20).map((r) => ({ ...r, sex: r.sex ?? "" }));
    const col = (k: string) => batch.map((r) => (r as Record<string, unknown>)[k]);
    const r = await rpc("ModelInfer", {
      model_name: "penguins",
      id: "g1",
      inputs: [
        { name: "island", datatype: "BYTES", shape: [20], contents: { bytes_contents: col("island").map((s) => Buffer.from(String(s))) } },
        { name: "bill_length_mm", datatype: "FP64", shape: [20], contents: { fp64_contents: col("bill_length_mm") } },
        { name: "bill_depth_mm", datatype: "FP64", shape: [20], contents: { fp64_contents: col("bill_depth_mm") } },
        { name: "flipper_length_mm", datatype: "FP64", shape: [20], contents: { fp64_contents: col("flipper_length_mm") } },
        { name: "body_mass_g", datatype: "INT64", shape: [20], contents: { int64_contents: col("body_mass_g") } },
        { name: "sex", datatype: "BYTES", shape: [20], contents: { bytes_contents: col("sex").map((s) => Buffer.from(String(s))) } },
      ],
    });
    assert.equal(r.model_name, "penguins");
    assert.equal(r.id, "g1");
    const [species, probs] = r.outputs as { name: string; shape: number[]; contents: { bytes_contents: Buffer[]; fp64_contents: number[] } }[];
    assert.deepEqual(species?.shape, [20]);
    assert.deepEqual(probs?.shape, [20, 3]);
    batch.forEach((row, i) => {
      const want = predictPenguin(row, weights);
      assert.equal(species?.contents.bytes_contents[i]?.toString(), want.species);
      assert.deepEqual(probs?.contents.fp64_contents.slice(i * 3, i * 3 + 3), want.probabilities);
    });
  });

  test("ModelInfer with raw_input_contents (little-endian FP32) and requested outputs", async () => {
    const raw = Buffer.alloc(32);
    [6.8, 2.8, 4.8, 1.4, 5.1, 3.5, 1.4, 0.2].forEach((v, i) => raw.writeFloatLE(v, i * 4));
    const r = await rpc("ModelInfer", { model_name: "iris", inputs: [{ name: "input-0", datatype: "FP32", shape: [2, 4] }], raw_input_contents: [raw], outputs: [{ name: "output-0" }] });
    assert.deepEqual((r.outputs as { contents: { int64_contents: number[] } }[])[0]?.contents.int64_contents, [1, 0]);
  });

  test("refused requests carry gRPC status codes and messages naming the input", async () => {
    await assert.rejects(rpc("ModelInfer", { model_name: "nope", inputs: [] }), (e: Grpc.ServiceError) => e.code === 5 && /model "nope"/.test(e.details));
    await assert.rejects(rpc("ModelMetadata", { name: "iris", version: "3" }), (e: Grpc.ServiceError) => e.code === 5);
    await assert.rejects(
      rpc("ModelInfer", { model_name: "iris", inputs: [{ name: "input-0", datatype: "FP32", shape: [1, 3], contents: { fp32_contents: [1, 2, 3] } }] }),
      (e: Grpc.ServiceError) => e.code === 3 && /input "input-0": shape \[1,3\] does not fit/.test(e.details),
    );
    await assert.rejects(
      rpc("ModelInfer", { model_name: "iris", inputs: [{ name: "input-0", datatype: "FP32", shape: [1, 4], contents: { fp32_contents: [1, 2] } }] }),
      (e: Grpc.ServiceError) => e.code === 3 && /data holds 2 elements/.test(e.details),
    );
    assert.deepEqual(await rpc("ServerLive", {}), { live: true });
  });
});
