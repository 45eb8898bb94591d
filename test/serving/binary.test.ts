/** The Open Inference Protocol's binary tensor data extension: binary inputs and outputs, and its bad input. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type ModelServer } from "../../src/serving/server.js";
import { decodeBinaryTensor, encodeBinaryTensor } from "../../src/serving/protocols/v2-binary.js";
import { titanicServable } from "./models.js";

let server: ModelServer;
before(async () => {
  server = await startServer(titanicServable(), { port: 0 });
});
after(() => server.close());

const passengers = { PassengerId: [1, 2], Pclass: [3, 1], Name: ["Braund, Mr. Owen", "Cumings, Mrs. John"], Sex: ["male", "female"], Age: [22, 38], SibSp: [1, 1], Parch: [0, 0], Ticket: ["A/5 21171", "PC 17599"], Fare: [7.25, 71.2833], Cabin: ["", "C85"], Embarked: ["S", "C"] };
const TYPES: Record<string, string> = { PassengerId: "INT64", Pclass: "INT64", SibSp: "INT64", Parch: "INT64", Age: "FP64", Fare: "FP64" };

/** A request with the named inputs as binary data and the rest as JSON. */
function request(binary: readonly string[], extra: Record<string, unknown> = {}): { body: Buffer; headerLength: number } {
  const parts: Buffer[] = [];
  const inputs = Object.entries(passengers).map(([name, data]) => {
    const datatype = TYPES[name] ?? "BYTES";
    if (!binary.includes(name)) return { name, datatype, shape: [2], data };
    const bytes = encodeBinaryTensor(datatype, data);
    parts.push(bytes);
    return { name, datatype, shape: [2], parameters: { binary_data_size: bytes.length } };
  });
  const header = Buffer.from(JSON.stringify({ inputs, ...extra }));
  return { body: Buffer.concat([header, ...parts]), headerLength: header.length };
}

async function post(body: Buffer, headerLength?: number): Promise<{ status: number; type: string | null; headerLength: string | null; body: Buffer }> {
  const res = await fetch(`${server.url}/v2/models/titanic/infer`, {
    method: "POST",
    body,
    headers: { "content-type": "application/octet-stream", ...(headerLength !== undefined ? { "inference-header-content-length": String(headerLength) } : {}) },
  });
  return { status: res.status, type: res.headers.get("content-type"), headerLength: res.headers.get("inference-header-content-length"), body: Buffer.from(await res.arrayBuffer()) };
}

test("binary inputs (INT64, FP64, BYTES) mixed with JSON ones give the same answer as all-JSON", async () => {
  const json = request([]);
  const plain = await post(json.body, json.headerLength);
  assert.equal(plain.status, 200, plain.body.toString());
  const want = (JSON.parse(plain.body.toString()) as { outputs: unknown[] }).outputs;
  assert.deepEqual(want, [{ name: "Survived", datatype: "INT64", shape: [2], data: [0, 1] }]);
  const mixed = request(["PassengerId", "Pclass", "Sex", "Fare", "Name"]);
  const r = await post(mixed.body, mixed.headerLength);
  assert.equal(r.status, 200, r.body.toString());
  assert.deepEqual((JSON.parse(r.body.toString()) as { outputs: unknown[] }).outputs, want);
});

test("binary outputs: binary_data_output for all, binary_data per output; JSON header then raw little-endian data", async () => {
  const q = request(["Sex", "Pclass"], { parameters: { binary_data_output: true } });
  const r = await post(q.body, q.headerLength);
  assert.equal(r.status, 200);
  assert.equal(r.type, "application/octet-stream");
  const n = Number(r.headerLength);
  const header = JSON.parse(r.body.subarray(0, n).toString()) as { outputs: { name: string; parameters?: { binary_data_size: number }; data?: unknown }[] };
  assert.equal(header.outputs[0]?.data, undefined);
  assert.equal(header.outputs[0]?.parameters?.binary_data_size, 16);
  assert.deepEqual(decodeBinaryTensor("Survived", "INT64", [2], r.body.subarray(n)), [0n, 1n]);
  const one = request([], { outputs: [{ name: "Survived", parameters: { binary_data: true } }] });
  assert.equal((await post(one.body, one.headerLength)).headerLength, String(JSON.stringify({ model_name: "titanic", model_version: "1", outputs: [{ name: "Survived", datatype: "INT64", shape: [2], parameters: { binary_data_size: 16 } }] }).length));
  const off = request([], { parameters: { binary_data_output: true }, outputs: [{ name: "Survived", parameters: { binary_data: false } }] });
  const answer = await post(off.body, off.headerLength);
  assert.equal(answer.headerLength, null, "an output asked for as JSON stays JSON");
});

test("bad binary requests are a 400 naming the input, and the server carries on", async () => {
  const q = request(["Fare"]);
  const cut = await post(q.body.subarray(0, q.body.length - 3), q.headerLength);
  assert.equal(cut.status, 400);
  assert.match(cut.body.toString(), /input \\"Fare\\": binary_data_size 16 runs past the end of the binary data \(13 bytes left\)/);
  const extra = await post(Buffer.concat([q.body, Buffer.alloc(4)]), q.headerLength);
  assert.match(extra.body.toString(), /the binary data is 20 bytes, the inputs' binary_data_size add up to 16/);
  const noHeader = await post(q.body.subarray(0, q.headerLength));
  assert.equal(noHeader.status, 400);
  assert.match(noHeader.body.toString(), /input \\"Fare\\": binary_data_size needs a binary body/);
  const badLength = await post(q.body, q.body.length + 10);
  assert.match(badLength.body.toString(), /Inference-Header-Content-Length must be a whole number of bytes within the body/);
  const wrongSize = request(["Name"]);
  const header = JSON.parse(wrongSize.body.subarray(0, wrongSize.headerLength).toString()) as { inputs: { name: string; parameters?: { binary_data_size: number } }[] };
  const name = header.inputs.find((i) => i.name === "Name");
  if (name?.parameters) name.parameters.binary_data_size -= 2;
  const h = Buffer.from(JSON.stringify(header));
  const body = Buffer.concat([h, wrongSize.body.subarray(wrongSize.headerLength, wrongSize.body.length - 2)]);
  const r = await post(body, h.length);
  assert.equal(r.status, 400);
  assert.match(r.body.toString(), /input \\"Name\\": binary BYTES element 1 claims \d+ bytes, only \d+ remain/);
  const ok = request([]);
  assert.equal((await post(ok.body, ok.headerLength)).status, 200);
});
