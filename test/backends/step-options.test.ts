/** The `backend` and `resources` step options: validated at definition, and never part of a step's identity. */
import assert from "node:assert/strict";
import { it } from "node:test";
import { KoanError } from "../../src/core/errors.js";
import { step } from "../../src/core/step.js";
import { types as t } from "../../src/core/types.js";

const run = () => ({ y: 1 });
const def = (extra: Record<string, unknown>) => step({ name: "s", outputs: { y: t.json<number>() }, run, ...extra }).definition;

it("keeps the code hash (and so the cache key) whatever the backend and resources", () => {
  const plain = def({});
  const remote = def({ backend: "gpu", resources: { cpu: 4, memory: "8Gi", gpu: 1 } });
  assert.equal(remote.codeHash, plain.codeHash);
  assert.equal(remote.backend, "gpu");
  assert.deepEqual(remote.resources, { cpu: 4, memory: "8Gi", gpu: 1 });
  assert.equal(plain.backend, undefined);
});

it("refuses bad backend names and resources, naming the step and field", () => {
  const bad = (extra: Record<string, unknown>, re: RegExp) => assert.throws(() => def(extra), (e: unknown) => e instanceof KoanError && e.code === "STEP_INVALID" && re.test(e.message));
  bad({ backend: "gpu pool" }, /backend of step "s"/);
  bad({ resources: { cpu: 0 } }, /resources\.cpu/);
  bad({ resources: { cpu: "lots" } }, /resources\.cpu/);
  bad({ resources: { memory: 512 } }, /resources\.memory/);
  bad({ resources: { memory: "4GB" } }, /resources\.memory/);
  bad({ resources: { gpu: 1.5 } }, /resources\.gpu/);
  bad({ resources: { disk: "1Ti" } }, /resources\.disk is not a resource/);
  assert.deepEqual(def({ resources: { cpu: "500m", memory: "512Mi", gpu: 0 } }).resources, { cpu: "500m", memory: "512Mi", gpu: 0 });
});
