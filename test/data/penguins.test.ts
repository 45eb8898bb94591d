/**
 * Conformance: TFX's penguin TFRecords (Split-train + Split-eval) hold exactly the rows of
 * tfx_penguins_processed.csv, and Koan's own rows -> Examples conversion reproduces TFX's Examples.
 */
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";
import { decodeExample } from "../../src/data/example/decode.js";
import { encodeExample } from "../../src/data/example/encode.js";
import { readExamples } from "../../src/data/example/files.js";
import { exampleFromRow, rowFromExample } from "../../src/data/example/rows.js";
import type { Example } from "../../src/data/example/types.js";
import { fixture, SKIP_WITHOUT_SHARED } from "./shared.js";

const skip = SKIP_WITHOUT_SHARED;
const FLOAT_COLUMNS = ["culmen_length_mm", "culmen_depth_mm", "flipper_length_mm", "body_mass_g"];

async function load(split: string): Promise<Example[]> {
  const out: Example[] = [];
  for await (const e of readExamples(fixture("tfrecord", "tfx_penguin", split, "data_tfrecord-00000-of-00001.gz"))) out.push(e);
  return out;
}

async function csvRows(): Promise<Record<string, number>[]> {
  const lines = (await readFile(fixture("csv", "tfx_penguins_processed.csv"), "utf8")).trim().split(/\r?\n/);
  const header = lines[0].split(",");
  return lines.slice(1).map((line) => Object.fromEntries(line.split(",").map((v, i) => [header[i], Number(v)])));
}

/** The CSV row TFX should have written: species as int64, the measurements as float32. */
function expectedRow(row: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, k === "species" ? v : Math.fround(v)]));
}

test("penguin records equal tfx_penguins_processed.csv row for row (train and eval interleave in CSV order)", { skip }, async () => {
  const train = await load("Split-train");
  const evaluation = await load("Split-eval");
  const rows = await csvRows();
  assert.equal(rows.length, 334);
  assert.equal(train.length + evaluation.length, rows.length);
  for (const example of [...train, ...evaluation]) {
    assert.deepEqual(
      [...example].map(([k, f]) => [k, f.kind, f.values.length]).sort(),
      [["body_mass_g", "float", 1], ["culmen_depth_mm", "float", 1], ["culmen_length_mm", "float", 1], ["flipper_length_mm", "float", 1], ["species", "int64", 1]],
    );
  }
  const records = (examples: Example[]): Record<string, unknown>[] => examples.map((e) => rowFromExample(e, { int64: "number" }));
  const [t, e] = [records(train), records(evaluation)];
  let ti = 0;
  let ei = 0;
  rows.forEach((row, index) => {
    const expected = expectedRow(row);
    if (ti < t.length && isDeepEqual(t[ti], expected)) ti++;
    else if (ei < e.length && isDeepEqual(e[ei], expected)) ei++;
    else assert.fail(`CSV row ${index + 1} is neither the next train record nor the next eval record: ${JSON.stringify(row)}`);
  });
  assert.deepEqual([ti, ei], [234, 100]);
});

test("exampleFromRow on the CSV rows gives the same Examples TFX wrote", { skip }, async () => {
  const tfx = [...(await load("Split-train")), ...(await load("Split-eval"))];
  const byContent = new Map(tfx.map((e) => [hexOf(encodeExample(e)), e]));
  const rows = await csvRows();
  let matched = 0;
  for (const row of rows) {
    const ours = exampleFromRow(row, { kinds: { species: "int64", ...Object.fromEntries(FLOAT_COLUMNS.map((c) => [c, "float" as const])) } });
    // TFX writes map entries in no particular order; Koan's encoding is canonical, so compare canonical bytes.
    const theirs = byContent.get(hexOf(encodeExample(ours)));
    assert.ok(theirs, `row ${JSON.stringify(row)} has a TFX record`);
    assert.deepEqual(decodeExample(encodeExample(ours)), decodeExample(encodeExample(theirs)));
    matched++;
  }
  assert.equal(matched, 334);
});

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
