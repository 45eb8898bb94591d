import assert from "node:assert/strict";
import { test } from "node:test";
import { mapLimit } from "../../src/core/map-limit.js";

const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test("mapLimit keeps item order and never runs more than the limit at once", async () => {
  let running = 0;
  let most = 0;
  const delays = [30, 5, 20, 1, 15, 2, 8];
  const out = await mapLimit(delays, 3, async (d, i) => {
    running++;
    most = Math.max(most, running);
    await tick(d);
    running--;
    return `${i}:${d}`;
  });
  assert.deepEqual(out, delays.map((d, i) => `${i}:${d}`));
  assert.equal(most, 3);
  assert.deepEqual(await mapLimit([], 4, async () => 1), []);
});

test("mapLimit rejects with the failure and starts nothing after it", async () => {
  const started: number[] = [];
  await assert.rejects(
    mapLimit([0, 1, 2, 3, 4, 5], 2, async (x) => {
      started.push(x);
      await tick(x === 1 ? 1 : 10);
      if (x === 1) throw new Error("boom 1");
      return x;
    }),
    /boom 1/,
  );
  assert.deepEqual(started, [0, 1]);
});
