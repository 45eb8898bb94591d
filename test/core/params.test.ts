import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { pipeline, step, types as t } from "../../src/index.js";
import { parseParamFlags, resolveParams } from "../../src/core/params.js";
import { isKoanError } from "../../src/core/errors.js";

const train = step({
  name: "train",
  params: z.object({ epochs: z.number().int().default(3), optimizer: z.object({ lr: z.number().default(0.1), name: z.string().default("adam") }).default({ lr: 0.1, name: "adam" }), tag: z.string().default("v") }),
  outputs: { m: t.json<number>() },
  run: () => ({ m: 1 }),
});
const plain = step({ name: "plain", run: () => ({}) });
const p = pipeline({ name: "params", build: () => { train(undefined, { params: { epochs: 5 } }); plain(); } });

test("defaults, pipeline bindings and overrides resolve in that order", async () => {
  const base = await resolveParams(p);
  assert.deepEqual(base.train, { epochs: 5, optimizer: { lr: 0.1, name: "adam" }, tag: "v" });
  const { overrides, raw } = parseParamFlags(["train.epochs=7", "train.optimizer.lr=0.5"]);
  const r = await resolveParams(p, overrides, raw);
  assert.deepEqual(r.train, { epochs: 7, optimizer: { lr: 0.5, name: "adam" }, tag: "v" });
  assert.deepEqual(r.plain, {});
});

test("--param values are YAML scalars, with the raw text kept for string parameters", async () => {
  const { overrides, raw } = parseParamFlags(["train.tag=1e3"]);
  assert.equal(overrides.train?.tag, 1000);
  const r = await resolveParams(p, overrides, raw);
  assert.equal(r.train?.tag, "1e3");
});

test("unknown steps, unknown keys and wrong types are clear errors", async () => {
  await assert.rejects(resolveParams(p, { nope: { x: 1 } }), (e) => isKoanError(e, "PARAM_UNKNOWN") && e.message.includes('no step "nope"') && (e.hint ?? "").includes("train"));
  await assert.rejects(resolveParams(p, { train: { epoch: 1 } }), (e) => isKoanError(e, "PARAM_UNKNOWN") && e.message.includes('"epoch"'));
  await assert.rejects(resolveParams(p, { train: { optimizer: { beta: 1 } } }), (e) => isKoanError(e, "PARAM_UNKNOWN") && e.message.includes("optimizer.beta"));
  const { overrides, raw } = parseParamFlags(["train.epochs=many"]);
  await assert.rejects(resolveParams(p, overrides, raw), (e) => isKoanError(e, "PARAM_INVALID") && e.message.startsWith("parameter train.epochs:"));
  await assert.rejects(resolveParams(p, { plain: { x: 1 } }), (e) => isKoanError(e, "PARAM_UNKNOWN") && e.message.includes("takes no parameters"));
});

test("malformed --param flags are usage errors", () => {
  for (const bad of ["epochs=5", "train.=5", "train.epochs", "=5"]) {
    assert.throws(() => parseParamFlags([bad]), (e) => isKoanError(e, "USAGE"), bad);
  }
});
