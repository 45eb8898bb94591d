import { test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { progress } from "../../src/cli/live.js";

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  let out = "";
  const w = new Writable({ write(chunk, _e, cb) { out += String(chunk); cb(); } }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(w, { isTTY, text: () => out });
  return w;
}

const events = (runId: string) => [
  { type: "run-started", runId, pipeline: "p", steps: ["load", "train"] },
  { type: "step-finished", runId, step: "load", status: "succeeded", cacheHit: true, durationMs: 3 },
  { type: "step-started", runId, step: "train", attempt: 1 },
  { type: "step-finished", runId, step: "train", status: "failed", cacheHit: false, durationMs: 1500, error: "boom" },
  { type: "run-finished", runId, status: "failed", durationMs: 1600 },
] as const;

test("without a TTY, progress is one plain line per event", () => {
  const s = fakeStream(false);
  const v = progress(s);
  for (const e of events("r-1")) v.onEvent(e);
  v.stop();
  assert.equal(s.text(), ["run r-1 of p: 2 steps", "[load] cached 3ms", "[train] started", "[train] failed 1.5s: boom", "run r-1 failed in 1.6s", ""].join("\n"));
  assert.doesNotMatch(s.text(), /\u001b/);
});

test("on a TTY, progress redraws one line per step in place", () => {
  const prev = process.env.NO_COLOR;
  process.env.NO_COLOR = "1";
  try {
    const s = fakeStream(true);
    const v = progress(s);
    for (const e of events("r-2")) v.onEvent(e);
    v.stop();
    const text = s.text();
    assert.match(text, /\u001b\[2A/, "moves the cursor up over the two step lines");
    const frames = text.split("\u001b[2A");
    const last = frames[frames.length - 1] ?? "";
    assert.match(last, /✔ load\s+3ms\s+cached/);
    assert.match(last, /✖ train\s+1\.5s\s+failed/);
    assert.doesNotMatch(text, /\u001b\[3[12]m/, "NO_COLOR: no colour codes");
  } finally {
    if (prev === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = prev;
  }
});
