import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileSource, pipeline } from "../../src/index.js";
import { DatasetWriter } from "../../src/data/dataset/writer.js";
import type { Example, Feature, FeatureKind } from "../../src/data/example/types.js";
import { openDuckDb, sqlString } from "../../src/steps/sources/duckdb.js";
import { castingSelect, describe, kindOfDuckType } from "../../src/steps/sources/table-dataset.js";
import { datasetOf, project } from "./helpers.js";

const weatherCsv = join(dirname(createRequire(import.meta.url).resolve("vega-datasets")), "..", "data", "seattle-weather.csv");
const utf8 = new TextEncoder();

/** The generic path: DuckDB rows as JS values → Feature objects → DatasetWriter.write (encodeExample). */
async function genericDataset(file: string, folder: string, shards: number): Promise<string[]> {
  const duck = await openDuckDb();
  try {
    const source = `read_csv(${sqlString(file)}, nullstr=['', 'NA'])`;
    const columns = await describe(duck.connection, `SELECT * FROM ${source}`);
    const kinds = Object.fromEntries(columns.map((c) => [c.name, kindOfDuckType(c.type)]));
    const writer = await DatasetWriter.create(folder, { splits: ["all"], shards, kinds });
    const rows = (await duck.connection.runAndReadAll(castingSelect(columns, source))).getRows();
    for (const row of rows) {
      const ex = new Map<string, Feature>();
      columns.forEach((c, i) => {
        const v = row[i];
        const kind = kinds[c.name] as FeatureKind;
        if (v === null) ex.set(c.name, kind === "float" ? { kind, values: new Float32Array(0) } : kind === "int64" ? { kind, values: new BigInt64Array(0) } : { kind, values: [] });
        else if (kind === "float") ex.set(c.name, { kind, values: Float32Array.of(v as number) });
        else if (kind === "int64") ex.set(c.name, { kind, values: BigInt64Array.of(BigInt(v as bigint)) });
        else ex.set(c.name, { kind, values: [utf8.encode(String(v))] });
      });
      await writer.write("all", ex as Example);
    }
    const ds = await writer.close();
    return ds.shardPaths("all");
  } finally {
    duck.close();
  }
}

test("fileSource's column-vector encoder writes exactly the bytes of the generic Example path", async () => {
  const { dir, koan, cleanup } = await project();
  try {
    const mixed = join(dir, "mixed.csv");
    const lines = ["id,big,neg,x,label,flag"];
    for (let i = 0; i < 3000; i++) {
      const big = i % 7 === 0 ? "NA" : String(BigInt(i) * 3074457345618258602n * (i % 2 ? -1n : 1n) / 1000n);
      lines.push(`${i},${big},${-i * 1000003},${i % 11 === 0 ? "" : (i * 0.37 - 500).toFixed(3)},${["a", "ünï", "日本", ""][i % 4]},${i % 3 === 0}`);
    }
    await writeFile(mixed, `${lines.join("\n")}\n`);
    for (const [file, shards] of [[weatherCsv, 3], [mixed, 2]] as const) {
      const r = await koan.run(pipeline({ name: "ingest", build: () => { fileSource(undefined, { params: { path: file, shards } }); } }), { cache: false });
      const ds = await datasetOf(koan, r, "file_source");
      const fast = await ds.shardPaths("all");
      const generic = await genericDataset(file, join(dir, `generic-${shards}`), shards);
      assert.equal(fast.length, generic.length);
      for (let k = 0; k < fast.length; k++) {
        assert.ok((await readFile(fast[k] as string)).equals(await readFile(generic[k] as string)), `${file}: shard ${k} differs`);
      }
    }
  } finally {
    await cleanup();
  }
});
