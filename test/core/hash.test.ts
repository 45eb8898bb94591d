import { test } from "node:test";
import assert from "node:assert/strict";
import { canonicalJson, hashJson } from "../../src/core/hash.js";
import { createRng, deriveSeed } from "../../src/core/rng.js";
import { isKoanError } from "../../src/core/errors.js";

test("canonical JSON sorts keys at every depth", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}');
  assert.equal(hashJson({ x: 1, y: 2 }), hashJson({ y: 2, x: 1 }));
  assert.notEqual(hashJson({ x: 1 }), hashJson({ x: 2 }));
});

test("values JSON cannot hold are refused with their path", () => {
  for (const [v, path] of [[{ a: NaN }, "$.a"], [{ a: [1, () => 1] }, "$.a[1]"], [{ d: new Date(0) }, "$.d"], [{ b: 1n }, "$.b"], [[undefined], "$[0]"]] as const) {
    assert.throws(() => canonicalJson(v), (e) => isKoanError(e, "DATA_INVALID") && e.message.includes(path), path);
  }
});

test("the seeded RNG is deterministic, seed-sensitive and well spread", () => {
  const a = createRng(42);
  const b = createRng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xs.slice(0, 10), Array.from({ length: 10 }, createRng(43).next));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const ints = Array.from({ length: 600 }, () => a.int(1, 6));
  assert.deepEqual([...new Set(ints)].sort(), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(createRng(7).shuffle([1, 2, 3, 4, 5]), createRng(7).shuffle([1, 2, 3, 4, 5]));
  assert.equal(deriveSeed(1, "train"), deriveSeed(1, "train"));
  assert.notEqual(deriveSeed(1, "train"), deriveSeed(1, "eval"));
});
