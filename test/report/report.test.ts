/** `koan report` and `koan notebook` on a real run of the quickstart training pipeline. */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import quickstart from "../../examples/quickstart/pipeline.js";
import { Koan } from "../../src/client/client.js";
import { collectReport } from "../../src/report/collect.js";
import { renderReport } from "../../src/report/render.js";
import type { Notebook } from "../../src/report/notebook.js";
import { koan as koanCli, tempDir } from "../helpers.js";

let dir: string;
let cleanup: () => Promise<void>;
let runId: string;

before(async () => {
  ({ dir, cleanup } = await tempDir());
  const koan = await Koan.open({ dir, init: true });
  try {
    const r = await koan.run(quickstart);
    assert.equal(r.status, "succeeded", r.error?.message);
    runId = r.runId;
  } finally {
    await koan.close();
  }
});
after(() => cleanup?.());

test("koan report writes one self-contained HTML file with statistics, schema, anomalies, curves and sliced metrics", async () => {
  const out = join(dir, "report.html");
  const r = await koanCli(["report", runId, "-o", out, "--json"], dir);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as { file: string; evaluations: string[]; statistics: string[] };
  assert.equal(summary.file, out);
  assert.deepEqual(summary.evaluations, [`${runId}/evaluator/evaluation`]);
  const html = await readFile(out, "utf8");
  assert.match(html, /^<!doctype html>/);
  for (const id of ["overview", "data", "schema", "anomalies", "training", "evaluation"]) assert.match(html, new RegExp(`<section id="${id}">`));
  // Statistics per split (Facets-like), the schema's vocabulary, no anomalies.
  assert.match(html, /Split <code>train<\/code> — 244 rows/);
  assert.match(html, /Split <code>eval<\/code> — 100 rows/);
  assert.match(html, /<h3>Flipper Length \(mm\)<\/h3>/);
  assert.match(html, /Biscoe, Dream, Torgersen/);
  assert.match(html, /No anomalies in/);
  // Training curves, metrics per slice, confusion matrix and calibration, the blessing.
  assert.match(html, /val_accuracy/);
  assert.match(html, /Island:Biscoe/);
  assert.match(html, /<h3>Confusion matrix<\/h3>/);
  assert.match(html, /<h3>Calibration<\/h3>/);
  assert.match(html, /<span class="ok">Blessed<\/span>/);
  const svgs = html.match(/<svg[\s>]/g) ?? [];
  assert.ok(svgs.length >= 20, `${svgs.length} charts`);
  // Self-contained: no script, no external resource.
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//i);
  assert.doesNotMatch(html, /<link /i);
});

test("report text is escaped, and an unknown run is an error that writes nothing", async () => {
  const koan = await Koan.open({ dir });
  try {
    const data = await collectReport(koan, runId);
    const html = await renderReport({ ...data, run: { ...data.run, pipeline: `<img src=x onerror="alert(1)">` } });
    assert.doesNotMatch(html, /<img src=x/);
    assert.match(html, /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
  } finally {
    await koan.close();
  }
  const out = join(dir, "none.html");
  const r = await koanCli(["report", "r-doesnotexist", "-o", out], dir);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /r-doesnotexist/);
  assert.equal(existsSync(out), false);
});

test("koan notebook writes an nbformat 4.5 notebook for the Deno kernel whose cells run against the project", async () => {
  const out = join(dir, "run.ipynb");
  const r = await koanCli(["notebook", runId, "-o", out], dir);
  assert.equal(r.code, 0, r.stderr);
  const nb = JSON.parse(await readFile(out, "utf8")) as Notebook;
  assert.equal(nb.nbformat, 4);
  assert.equal(nb.nbformat_minor, 5);
  assert.deepEqual(nb.metadata.kernelspec, { name: "deno", display_name: "Deno", language: "typescript" });
  assert.equal(nb.metadata.language_info.name, "typescript");
  const ids = new Set<string>();
  for (const c of nb.cells) {
    assert.match(c.id, /^[a-zA-Z0-9-_]{1,64}$/);
    assert.ok(!ids.has(c.id), `duplicate cell id ${c.id}`);
    ids.add(c.id);
    assert.ok(Array.isArray(c.source) && c.source.every((l) => typeof l === "string"));
    assert.deepEqual(c.metadata, {});
    if (c.cell_type === "code") {
      assert.deepEqual(c.outputs, []);
      assert.equal(c.execution_count, null);
    } else assert.equal(c.cell_type, "markdown");
  }
  const text = nb.cells.map((c) => c.source.join("")).join("\n");
  assert.match(text, /## Statistics per split/);
  assert.match(text, /## Training curves/);
  assert.match(text, /## Metrics overall and per slice/);
  // The code cells are valid TypeScript and run top to bottom (here on Node, with the kernel's display stubbed).
  const code = nb.cells.filter((c) => c.cell_type === "code").map((c) => c.source.join("")).join("\n\n");
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, reportDiagnostics: true });
  assert.deepEqual(js.diagnostics ?? [], []);
  const script = join(dir, "notebook.mjs");
  await writeFile(script, `const shown = []; globalThis.Deno = { jupyter: { display: (b) => { shown.push(b["text/html"].length); } } };\n${js.outputText}\nconsole.log("displayed", shown.length);\n`);
  const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: dir });
  assert.match(stdout, /split eval/);
  assert.match(stdout, /Island:Biscoe/);
  const displayed = Number(/displayed (\d+)/.exec(stdout)?.[1]);
  assert.ok(displayed >= 8, `${displayed} charts displayed`);
});
