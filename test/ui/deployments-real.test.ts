/** The Deployments page's API over deployments recorded by the serving deployers. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Koan } from "../../src/index.js";
import { recordDeployment } from "../../src/serving/deploy/records.js";
import { startUiServer } from "../../src/ui/server.js";
import { tempDir } from "../helpers.js";

test("a recorded deployment is listed with its target, endpoint and model", async () => {
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  try {
    await recordDeployment(koan, { id: "d-test", target: "local", name: "penguins", version: "1", model: null, endpoint: "http://127.0.0.1:8080", state: { status: "running", pid: 1 }, config: {} }, undefined);
    const srv = await startUiServer(koan, { port: 0 });
    try {
      const view = (await (await fetch(new URL("api/deployments", srv.url))).json()) as { deployments: { content: { target: string; endpoint: string; status: string | null } }[] };
      assert.equal(view.deployments.length, 1);
      assert.deepEqual({ ...view.deployments[0]?.content, details: undefined }, { target: "local", endpoint: "http://127.0.0.1:8080", model: null, status: "running", details: undefined });
    } finally {
      await srv.close();
    }
  } finally {
    await koan.close();
    await cleanup();
  }
});

test("deployment health is a live probe of the readiness endpoint: up, down, unknown", async () => {
  const { createServer } = await import("node:http");
  const { dir, cleanup } = await tempDir();
  const koan = await Koan.open({ dir, init: true });
  let ready = 200;
  const oip = createServer((req, res) => {
    res.writeHead(req.url === "/v2/health/ready" ? ready : 404, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((r) => oip.listen(0, "127.0.0.1", r));
  const port = (oip.address() as { port: number }).port;
  try {
    const up = await recordDeployment(koan, { id: "d-up", target: "local", name: "m", version: "1", model: null, endpoint: `http://127.0.0.1:${port}`, state: { pid: 1, port }, config: {} }, undefined);
    const remote = await recordDeployment(koan, { id: "d-remote", target: "kserve", name: "m", version: "1", model: null, endpoint: `http://127.0.0.1:${port}/missing/`, state: {}, config: {} }, undefined);
    const none = await recordDeployment(koan, { id: "d-none", target: "vertex", name: "m", version: "1", model: null, endpoint: null, state: {}, config: {} }, undefined);
    const srv = await startUiServer(koan, { port: 0 });
    try {
      const health = async (id: string | undefined): Promise<{ status: number; body: { state: string; url: string | null; httpStatus: number | null; detail: string; error?: { code: string } } }> => {
        const res = await fetch(new URL(`api/deployments/${id}/health`, srv.url));
        return { status: res.status, body: (await res.json()) as never };
      };
      const ids = { up: up.artifactId, remote: remote.artifactId, none: none.artifactId };
      let h = await health(ids.up);
      assert.equal(h.status, 200);
      assert.deepEqual([h.body.state, h.body.url, h.body.httpStatus], ["up", `http://127.0.0.1:${port}/v2/health/ready`, 200]);
      ready = 503;
      h = await health(ids.up);
      assert.deepEqual([h.body.state, h.body.detail], ["down", "answered HTTP 503"]);
      h = await health(ids.remote); // a remote target that answers 404 at its path: maybe only unreachable from here
      assert.deepEqual([h.body.state, h.body.url], ["unknown", `http://127.0.0.1:${port}/missing/v2/health/ready`]);
      h = await health(ids.none);
      assert.deepEqual([h.body.state, h.body.url, h.body.detail], ["unknown", null, "no endpoint was recorded"]);
      await new Promise<void>((r) => oip.close(() => r()));
      h = await health(ids.up);
      assert.deepEqual([h.body.state, h.body.detail], ["down", "connection refused"]);
      h = await health("a-nope");
      assert.equal(h.status, 404);
    } finally {
      await srv.close();
    }
  } finally {
    oip.close();
    await koan.close();
    await cleanup();
  }
});
