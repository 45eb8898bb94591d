/** The dashboard server: the token, host rules, live updates, an unreachable store, and `koan ui` itself. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { Koan } from "../../src/client/client.js";
import { pipeline } from "../../src/core/pipeline.js";
import { step } from "../../src/core/step.js";
import { types as t } from "../../src/core/types.js";
import { isLoopback, resolveToken } from "../../src/ui/auth.js";
import { startUiServer, type UiServer } from "../../src/ui/server.js";
import { finished, spawnKoan, tempDir, waitFor } from "../helpers.js";
import { fakeAssets, request } from "./http.js";

describe("token", () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let assets: { dir: string; cleanup: () => Promise<void> };
  let koan: Koan;
  let server: UiServer;
  const TOKEN = "s3cr3t-token-value";
  before(async () => {
    dir = await tempDir("koan-ui-token-");
    assets = await fakeAssets();
    koan = await Koan.open({ dir: dir.dir, init: true });
    server = await startUiServer(koan, { port: 0, token: TOKEN, assetsDir: assets.dir });
  });
  after(async () => {
    await server?.close();
    await koan?.close();
    await dir?.cleanup();
    await assets?.cleanup();
  });

  test("requests without the token are rejected, API and assets alike", async () => {
    for (const p of ["/api/runs", "/api/health", "/", "/runs", "/assets/app.js"]) {
      const r = await request(new URL(p, server.url).href);
      assert.equal(r.status, 401, p);
      assert.ok(!r.text.includes(TOKEN));
    }
    assert.equal((await request(new URL("/api/runs", server.url).href, { headers: { authorization: "Bearer wrong" } })).status, 401);
    assert.equal((await request(new URL("/api/runs?token=wrong", server.url).href)).status, 401);
  });

  test("accepted as a bearer header, an X-Koan-Token header, ?token= once, then the cookie", async () => {
    assert.equal((await request(new URL("/api/runs", server.url).href, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.equal((await request(new URL("/api/runs", server.url).href, { headers: { "x-koan-token": TOKEN } })).status, 200);
    const page = await request(new URL(`/runs?token=${TOKEN}&pipeline=x`, server.url).href);
    assert.equal(page.status, 302, "pages drop the token from the URL");
    assert.equal(page.headers.get("location"), "/runs?pipeline=x");
    const cookie = page.headers.get("set-cookie") ?? "";
    assert.match(cookie, /koan_token=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Strict/i);
    const jar = cookie.split(";")[0] as string;
    assert.equal((await request(new URL("/runs", server.url).href, { headers: { cookie: jar } })).status, 200);
    assert.equal((await request(new URL("/assets/app.js", server.url).href, { headers: { cookie: jar } })).status, 200);
    assert.equal((await request(new URL("/api/runs", server.url).href, { headers: { cookie: jar } })).status, 200);
    assert.equal((await request(new URL(`/api/runs?token=${TOKEN}`, server.url).href)).status, 200);
  });

  test("a token server accepts any Host header (it may be bound to a LAN address)", async () => {
    assert.equal((await request(new URL("/api/runs", server.url).href, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    assert.match(server.openUrl, /\?token=s3cr3t-token-value$/);
  });

  test("a host other than loopback requires a token: given, else generated", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"]) assert.equal(isLoopback(h), true, h);
    for (const h of ["0.0.0.0", "::", "192.168.1.4", "example.com"]) assert.equal(isLoopback(h), false, h);
    assert.deepEqual(resolveToken("127.0.0.1", undefined), { token: undefined, generated: false });
    assert.deepEqual(resolveToken("0.0.0.0", "mine"), { token: "mine", generated: false });
    const gen = resolveToken("0.0.0.0", undefined);
    assert.equal(gen.generated, true);
    assert.ok((gen.token ?? "").length >= 32);
    assert.notEqual(resolveToken("::", undefined).token, gen.token);
  });
});

describe("live updates and an unreachable store", () => {
  let dir: { dir: string; cleanup: () => Promise<void> };
  let koan: Koan;
  let server: UiServer;
  before(async () => {
    dir = await tempDir("koan-ui-live-");
    koan = await Koan.open({ dir: dir.dir, init: true });
    server = await startUiServer(koan, { port: 0, pollMs: 30 });
  });
  after(async () => {
    await server?.close();
    await dir?.cleanup();
  });

  test("a running run's event stream sends updates as steps finish, then ends", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const first = step({ name: "first", outputs: { v: t.json<number>() }, run: () => ({ v: 1 }) });
    const slow = step({ name: "slow", inputs: { v: t.json<number>() }, params: z.object({}), outputs: { v: t.json<number>() }, run: async (_c, { v }) => { await gate; return { v: v + 1 }; } });
    const p = pipeline({ name: "live", build: () => { slow(first()); } });
    let runId = "";
    const done = koan.run(p, { cache: false, onEvent: (e) => { if (e.type === "run-started") runId = e.runId; } });
    await waitFor(() => runId !== "", 10_000, "the run to start");
    const res = await fetch(new URL(`/api/runs/${runId}/events`, server.url));
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const readUntil = async (re: RegExp): Promise<void> => {
      while (!re.test(text)) {
        const { value, done: end } = await reader.read();
        if (end) break;
        text += Buffer.from(value).toString("utf8");
      }
    };
    await readUntil(/event: update/);
    assert.match(text, /"status":"running"/);
    const list = await request(new URL("/api/runs?status=running", server.url).href);
    assert.equal(list.json.total, 1, "the runs list shows it running");
    const slowState = async (): Promise<string> => (await request(new URL(`/api/runs/${runId}`, server.url).href)).json.steps.find((s: { name: string }) => s.name === "slow").status;
    assert.ok(["pending", "running"].includes(await slowState()));
    await waitFor(async () => (await slowState()) === "running", 10_000, "the slow step to start");
    await readUntil(/"steps":2/);
    release();
    await readUntil(/event: end/);
    assert.match(text, /"status":"succeeded"/);
    await reader.cancel().catch(() => undefined);
    assert.equal((await done).status, "succeeded");
    const after = await request(new URL(`/api/runs?status=succeeded`, server.url).href);
    assert.equal(after.json.total, 1, "the index sees the finished run");
  });

  test("the runs event stream announces a new run", async () => {
    const res = await fetch(new URL("/api/events/runs", server.url));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    const read = async (count: number): Promise<void> => {
      while ((text.match(/event: update/g) ?? []).length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString("utf8");
      }
    };
    await read(1);
    const one = step({ name: "one", outputs: { v: t.json<number>() }, run: () => ({ v: 1 }) });
    await koan.run(pipeline({ name: "another", build: () => { one(); } }));
    await read(2);
    assert.match(text, /"count":2/);
    await reader.cancel().catch(() => undefined);
  });

  test("an unreachable store is a 503 the page shows as a banner", async () => {
    await koan.close();
    const runs = await request(new URL("/api/runs", server.url).href);
    assert.equal(runs.status, 503);
    assert.equal(runs.json.error.code, "STORE_UNAVAILABLE");
    assert.match(runs.json.error.message, /metadata store \(sqlite\) is unreachable/);
    const health = await request(new URL("/api/health", server.url).href);
    assert.equal(health.status, 503);
    assert.equal(health.json.store.ok, false);
  });
});

describe("koan ui", () => {
  test("serves on a free port with a token, prints the URL, and stops on Ctrl-C", async () => {
    const d = await tempDir("koan-ui-cli-");
    try {
      const init = await finished(spawnKoan(["init"], d.dir));
      assert.equal(init.code, 0, init.stderr);
      const child = spawnKoan(["ui", "--port", "0", "--token", "tok123"], d.dir);
      let out = "";
      child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
      const done = finished(child);
      await waitFor(() => /http:\/\/127\.0\.0\.1:\d+\/\?token=tok123/.test(out), 20_000, "the URL");
      const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1] as string;
      assert.equal((await request(`${url}api/runs`)).status, 401);
      const ok = await request(`${url}api/runs`, { headers: { authorization: "Bearer tok123" } });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.total, 0);
      child.kill("SIGINT");
      const r = await done;
      assert.equal(r.code, 0, r.stderr);
      const bad = await finished(spawnKoan(["ui", "--port", "70000"], d.dir));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--port/);
    } finally {
      await d.cleanup();
    }
  });
});
