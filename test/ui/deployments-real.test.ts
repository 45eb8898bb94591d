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
