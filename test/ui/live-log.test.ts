/** A running step's log is visible while it runs: the log API returns it so far, the event stream appends to it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Koan, pipeline, step } from "../../src/index.js";
import { liveLogPath, readLiveLog } from "../../src/runner/live-log.js";
import { startUiServer } from "../../src/ui/server.js";
import { tempDir } from "../helpers.js";
import { fakeAssets } from "./http.js";

const until = async (what: string, fn: () => Promise<boolean> | boolean, ms = 15_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** Read server-sent events from a response body. */
async function* sseEvents(res: Response): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buf = "";
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf += decoder.decode(chunk, { stream: true });
    let at: number;
    while ((at = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, at);
      buf = buf.slice(at + 2);
      const event = /^event: ?(.*)$/m.exec(block)?.[1] ?? "message";
      const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((m) => m[1]).join("\n");
      yield { event, data };
    }
  }
}

test("a running step's log lines reach the dashboard before the step ends, then the stored log takes over", async () => {
  const { dir, cleanup } = await tempDir();
  const assets = await fakeAssets();
  const koan = await Koan.open({ dir, init: true });
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let more: () => void = () => {};
  const second = new Promise<void>((r) => (more = r));
  let stepRunId = "";
  const slow = step({
    name: "slow",
    run: async (ctx) => {
      stepRunId = ctx.stepRunId;
      ctx.log.info("first line");
      console.log("from console");
      await second;
      ctx.log.warn("second line");
      await gate;
      return {};
    },
  });
  const srv = await startUiServer(koan, { port: 0, pollMs: 50, assetsDir: assets.dir });
  const running = koan.run(pipeline({ name: "live", build: () => void slow() }));
  try {
    await until("the step to start", () => stepRunId !== "");
    const runId = (await koan.metadata.getStepRun(stepRunId))?.runId as string;
    const logUrl = new URL(`api/runs/${runId}/steps/slow/log`, srv.url);
    let view: { text: string; live?: boolean; note: string | null } = { text: "", note: null };
    await until("the live log", async () => {
      view = (await (await fetch(logUrl)).json()) as typeof view;
      return view.text.includes("from console");
    });
    assert.equal(view.live, true);
    assert.match(view.text, /INFO  first line\n.*INFO  from console\n$/);
    assert.match(view.note ?? "", /the log so far/);
    assert.ok(existsSync(liveLogPath(stepRunId) as string));

    const res = await fetch(new URL(`api/runs/${runId}/steps/slow/log/events`, srv.url));
    assert.equal(res.headers.get("content-type"), "text/event-stream");
    const events = sseEvents(res);
    const first = (await events.next()).value as { event: string; data: string };
    assert.equal(first.event, "append");
    assert.match((JSON.parse(first.data) as { text: string }).text, /first line/);
    more();
    let appended = "";
    for (;;) {
      const e = (await events.next()).value as { event: string; data: string };
      assert.equal(e.event, "append");
      appended += (JSON.parse(e.data) as { text: string }).text;
      if (appended.includes("second line")) break;
    }
    assert.match(appended, /WARN  second line/);
    release();
    for (;;) {
      const e = (await events.next()).value as { event: string; data: string } | undefined;
      if (!e || e.event === "end") {
        assert.equal(e && (JSON.parse(e.data) as { status: string }).status, "succeeded");
        break;
      }
    }
    const r = await running;
    assert.equal(r.status, "succeeded", r.error?.message);
    // Stored now: the whole log from the blob, and no live file left behind.
    const stored = (await (await fetch(logUrl)).json()) as { text: string; live?: boolean };
    assert.equal(stored.live, undefined);
    assert.match(stored.text, /first line[\s\S]*from console[\s\S]*second line/);
    assert.equal(existsSync(liveLogPath(stepRunId) as string), false);
    assert.equal(await readLiveLog(stepRunId), undefined);
  } finally {
    release();
    more();
    await running.catch(() => undefined);
    await srv.close();
    await koan.close();
    await assets.cleanup();
    await cleanup();
  }
});

test("live log paths refuse ids that could name other files", () => {
  assert.equal(liveLogPath("../etc/passwd"), undefined);
  assert.equal(liveLogPath("s-01abc"), liveLogPath("s-01abc"));
  assert.match(liveLogPath("s-01abc") as string, /s-01abc\.log$/);
});
