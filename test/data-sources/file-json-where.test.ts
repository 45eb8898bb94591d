/** The file source reads JSON arrays of objects, and `where` keeps the rows a SQL condition accepts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileSource, pipeline } from "../../src/index.js";
import { datasetOf, project, rowsOf } from "./helpers.js";

test("a JSON array source with where: rows filtered, kinds inferred; a bad condition names the file; no match is an error", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const file = join(dir, "cars.json");
    await writeFile(file, JSON.stringify([{ name: "a", mpg: 18, hp: 130 }, { name: "b", mpg: null, hp: 165 }, { name: "c", mpg: 31.5, hp: null }]));
    const run = (where?: string) => koan.run(pipeline({ name: "json_where", build: () => void fileSource(undefined, { params: { path: file, ...(where ? { where } : {}) } }) }));
    const all = await run();
    assert.equal(all.status, "succeeded", all.error?.message);
    const every = await datasetOf(koan, all, "file_source");
    assert.equal(every.rowCount(), 3);
    assert.deepEqual(every.features, { hp: "int64", mpg: "float", name: "bytes" });
    const some = await run("mpg IS NOT NULL");
    const kept = await rowsOf(await datasetOf(koan, some, "file_source"), "all");
    assert.deepEqual(kept.map((r) => r.name), ["a", "c"]);
    const bad = await run("no_such_column > 1");
    assert.equal(bad.status, "failed");
    assert.match(bad.error?.message ?? "", /cars\.json/);
    assert.match(bad.error?.message ?? "", /no_such_column/);
    const none = await run("mpg > 100");
    assert.equal(none.status, "failed");
    assert.match(none.error?.message ?? "", /no row of .*cars\.json satisfies where: mpg > 100/);
  } finally {
    await cleanup();
  }
});
