/**
 * A CSV is sniffed once and read with the detected dialect as given (csv-sniff.ts): names with quotes, detected
 * date formats and declared types must read exactly as a sniffing read_csv reads them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileSource, pipeline } from "../../src/index.js";
import { datasetOf, project, rowsOf } from "./helpers.js";

test("a CSV whose path and header hold quotes, with a day-first date column, reads the same with and without declared types", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    await mkdir(join(dir, "we ird"));
    const file = join(dir, "we ird", `it's "q".csv`);
    await writeFile(file, 'id,"we""ird",day,at\n1,a,25/12/2024,2024-01-02 03:04:05\n2,NA,01/02/2023,2024-01-02 03:04:06\n');
    const run = (columns?: Record<string, "int64" | "float" | "bytes">) =>
      koan.run(pipeline({ name: "csv_sniff", build: () => void fileSource(undefined, { params: { path: file, ...(columns ? { columns } : {}) } }) }));
    const inferred = await datasetOf(koan, await run(), "file_source");
    assert.deepEqual(inferred.features, { at: "bytes", day: "bytes", id: "int64", 'we"ird': "bytes" });
    assert.deepEqual(await rowsOf(inferred, "all"), [
      { id: 1, 'we"ird': "a", day: "2024-12-25", at: "2024-01-02 03:04:05" }, // the detected %d/%m/%Y read as a DATE
      { id: 2, 'we"ird': null, day: "2023-02-01", at: "2024-01-02 03:04:06" },
    ]);
    const declared = await datasetOf(koan, await run({ id: "float", day: "bytes" }), "file_source");
    assert.deepEqual(declared.features, { at: "bytes", day: "bytes", id: "float", 'we"ird': "bytes" });
    assert.deepEqual((await rowsOf(declared, "all")).map((r) => [r.id, r.day]), [[1, "25/12/2024"], [2, "01/02/2023"]]);
    const unknown = await run({ nope: "float" });
    assert.equal(unknown.status, "failed");
    assert.match(unknown.error?.message ?? "", /column "nope" of the declared schema is not in .*it's "q"\.csv/);
  } finally {
    await cleanup();
  }
});
