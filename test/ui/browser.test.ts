/**
 * Browser tests: Playwright (playwright-core) driving Debian's Chromium against a real dashboard over a temp
 * project. Each page is saved as a screenshot under test-output/screenshots/ for review.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { Koan } from "../../src/client/client.js";
import { DEFAULT_ASSETS_DIR } from "../../src/ui/assets.js";
import { startUiServer, type UiServer } from "../../src/ui/server.js";
import { REPO } from "../helpers.js";
import { makeFixture, type UiFixture } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = join(REPO, "test-output", "screenshots");
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (apt-get install chromium)`;

describe("dashboard in a browser", { skip }, () => {
  let fx: UiFixture;
  let server: UiServer;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const errors: string[] = [];
  const url = (p: string): string => new URL(p, server.url).href;
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  before(async () => {
    assert.ok(existsSync(join(DEFAULT_ASSETS_DIR, "index.html")), `the front-end is not built in ${DEFAULT_ASSETS_DIR}: run \`npx vite build ui\` (part of npm run build)`);
    await mkdir(SHOTS, { recursive: true });
    fx = await makeFixture();
    server = await startUiServer(fx.koan, { port: 0 });
    profile = await mkdtemp(join(tmpdir(), "koan-chromium-"));
    const { chromium } = await import("playwright-core");
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (e) => errors.push(e.message));
  });

  after(async () => {
    await context?.close();
    await server?.close();
    await fx?.cleanup();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  test("the runs list shows every run", async () => {
    await page.goto(url("/runs"));
    await page.locator("[data-testid=runs-table] tbody tr").nth(2).waitFor();
    assert.equal(await page.locator("[data-testid=runs-table] tbody tr").count(), 3);
    assert.match(await page.locator(`tr[data-run="${fx.b.runId}"]`).innerText(), /toy\s+succeeded/);
    await shot("runs");
  });

  test("a run page draws its DAG with states and cache hits, and a step's panel", async () => {
    await page.locator(`a[href="/runs/${fx.b.runId}"]`).click();
    await page.locator("[data-testid=dag] svg [data-step=train]").waitFor();
    assert.equal(await page.locator("[data-testid=run-id]").innerText(), fx.b.runId);
    for (const s of ["load", "train", "evaluate"]) assert.equal(await page.locator(`[data-step="${s}"].dag-step`).getAttribute("data-status"), "succeeded");
    assert.match(await page.locator("[data-step=load].dag-step").textContent() ?? "", /cached/);
    assert.doesNotMatch(await page.locator("[data-step=train].dag-step").textContent() ?? "", /cached/);
    await page.locator("[data-step=train].dag-step").click();
    await page.locator("[data-testid=step-panel][data-step=train]").waitFor();
    const panel = await page.locator("[data-testid=step-panel]").innerText();
    assert.match(panel, /epochs\s+9/);
    await page.locator("[data-testid=step-log]").waitFor();
    assert.match(await page.locator("[data-testid=step-log]").innerText(), /trained for 9 epochs/);
    await shot("run");
  });

  test("an artifact's lineage leads back to the raw data", async () => {
    await page.locator("[data-step=evaluate].dag-step").click();
    await page.locator("[data-testid=output-metrics]").click();
    await page.locator("[data-testid=lineage] svg").waitFor();
    assert.equal(await page.locator("[data-testid=artifact-id]").innerText(), fx.b.outputs.evaluate?.metrics?.id);
    assert.match(await page.locator("[data-testid=preview]").innerText(), /accuracy/);
    await page.locator("[data-testid=lineage] [data-step=load]").waitFor();
    await shot("artifact");
    const raw = fx.a.outputs.load?.rows?.id as string;
    await page.locator(`[data-testid=lineage] a[data-artifact="${raw}"]`).click();
    await page.waitForURL(`**/artifacts/${raw}`);
    await page.locator("[data-testid=artifact-id]").waitFor();
    assert.equal(await page.locator("[data-testid=artifact-id]").innerText(), raw);
    assert.match(await page.locator("main").innerText(), /produced by\s+load/);
    await page.locator("[data-testid=lineage] [data-step=load]").waitFor();
    assert.equal(await page.locator("[data-testid=lineage] .lineage-step").count(), 1, "the raw data: only its source step is upstream");
    await shot("artifact-raw");
  });

  test("comparing two runs shows the parameter that differs", async () => {
    await page.goto(url("/runs"));
    await page.locator(`input[aria-label="select ${fx.a.runId}"]`).check();
    await page.locator(`input[aria-label="select ${fx.b.runId}"]`).check();
    await page.locator("[data-testid=compare-selected]").click();
    await page.locator('[data-testid=param-diff] tr.differs[data-key="train.epochs"]').waitFor();
    assert.match(await page.locator('[data-testid=param-diff] tr[data-key="train.epochs"]').innerText(), /train\.epochs\s+5\s+9/);
    assert.equal(await page.locator('[data-testid=param-diff] tr[data-key="train.optimizer"]').count(), 0, "identical parameters hidden");
    assert.match(await page.locator("[data-testid=metrics]").innerText(), /train\.loss ↓/);
    await page.locator("[data-testid=parallel] svg").first().waitFor();
    await shot("compare");
  });

  test("data, evaluation and deployments: empty states now, filled by their artifacts", async () => {
    await page.goto(url(`/runs/${fx.a.runId}/data`));
    await page.locator("[data-testid=statistics] [data-testid=empty]").waitFor();
    assert.match(await page.locator("[data-testid=statistics]").innerText(), /No statistics for this run yet/);
    await shot("data-empty");
    await page.goto(url(`/runs/${fx.a.runId}/evaluation`));
    await page.locator("[data-testid=evaluations] [data-testid=empty]").waitFor();
    assert.match(await page.locator("[data-testid=evaluations]").innerText(), /No evaluation for this run yet/);
    await shot("evaluation-empty");
    await page.goto(url(`/runs/${fx.full.runId}/data`));
    await page.locator("[data-testid=statistics] .split-stats").waitFor();
    assert.match(await page.locator("[data-testid=statistics]").innerText(), /island/);
    await shot("data");
    await page.goto(url(`/runs/${fx.full.runId}/evaluation`));
    await page.locator("[data-testid=evaluations] .kind-item").waitFor();
    assert.match(await page.locator("[data-testid=evaluations]").innerText(), /blessed/);
    await shot("evaluation");
    await page.goto(url("/deployments"));
    await page.locator("[data-testid=deployments]").waitFor();
    assert.match(await page.locator("[data-testid=deployments]").innerText(), /local-server/);
    assert.doesNotMatch(await page.content(), /sk-deploy-secret/);
    await shot("deployments");
  });

  test("unknown ids get a 404 page; an unreachable store a banner", async () => {
    const res = await page.goto(url("/runs/r-does-not-exist"));
    assert.equal(res?.status(), 404);
    await page.locator("[data-testid=not-found]").waitFor();
    await shot("not-found");
    const other = await Koan.open({ dir: fx.dir });
    const broken = await startUiServer(other, { port: 0 });
    try {
      await other.close();
      await page.goto(new URL("/runs", broken.url).href);
      await page.locator("[data-testid=store-banner]").waitFor();
      assert.match(await page.locator("[data-testid=store-banner]").innerText(), /unreachable/);
      await shot("store-unreachable");
    } finally {
      await broken.close();
    }
    assert.deepEqual(errors, [], "no uncaught errors in the pages");
  });
});
