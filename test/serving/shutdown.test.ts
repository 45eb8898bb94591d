import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir, waitFor } from "../helpers.js";
import { fitPenguins, penguinRows, penguinV2Request, predictPenguin } from "./models.js";
import { call } from "./helpers.js";

const SCRIPT = fileURLToPath(new URL("./fixtures/serve-penguins.js", import.meta.url));

test("SIGTERM drains: in-flight requests complete, new connections are refused, the process exits 0", async () => {
  const { dir, cleanup } = await tempDir();
  const readyFile = join(dir, "ready.json");
  const child = spawn(process.execPath, [SCRIPT, "--port", "0", "--ready-file", readyFile], { env: { ...process.env, SLOW_MS: "1500" }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));
  try {
    await waitFor(() => existsSync(readyFile), 20_000, "the server's ready file");
    const { url, pid } = JSON.parse(readFileSync(readyFile, "utf8")) as { url: string; pid: number };
    assert.equal(pid, child.pid);
    const weights = fitPenguins();
    const rows = penguinRows().rows.slice(0, 8).map((r) => ({ ...r, sex: r.sex ?? "" }));
    const pending = rows.map((r, i) => call(`${url}/v2/models/penguins/infer`, penguinV2Request([r], `q${i}`)));
    // Wait until all eight are being handled (the gauge also counts this metrics request).
    await waitFor(async () => /^koan_serving_inflight_requests (\d+)$/m.exec((await call(`${url}/metrics`)).text)?.[1] === "9", 20_000, "eight requests in flight");
    child.kill("SIGTERM");
    await waitFor(() => out.includes("SIGTERM"), 10_000, "the server to see SIGTERM");
    await assert.rejects(fetch(`${url}/v2/health/live`, { headers: { connection: "close" } }), "a new connection during draining is refused");
    const answers = await Promise.all(pending);
    answers.forEach((a, i) => {
      assert.equal(a.status, 200, a.text);
      assert.equal(a.body.id, `q${i}`);
      assert.deepEqual((a.body.outputs as { data: unknown[] }[])[0]?.data, [predictPenguin(rows[i] as never, weights).species]);
    });
    assert.equal(await exited, 0, out);
    assert.match(out, /finishing \d+ in-flight request/);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await cleanup();
  }
});
