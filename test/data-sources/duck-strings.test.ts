/**
 * DuckDB VARCHAR vectors read as binary strings: the same keys as `getItem` for inlined, long, non-ASCII, empty
 * and NULL values, across chunks, whether a column's inline-string cache is used or given up.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { openDuckDb } from "../../src/steps/sources/duckdb.js";
import { InlineStringCache, readVarcharKeys } from "../../src/steps/sources/duck-strings.js";
import { binaryKeyOfText } from "../../src/data/stats/columns.js";

test("readVarcharKeys gives getItem's values as binary strings; a full cache that misses is given up, one that hits is kept", async () => {
  const duck = await openDuckDb();
  try {
    // `many`: 30,000 distinct values of up to 12 bytes (some non-ASCII), a NULL every 97 rows, a long one every 89.
    // `few`: six values, one longer than 12 bytes.
    const result = await duck.connection.stream(`
      SELECT CASE WHEN i % 97 = 0 THEN NULL WHEN i % 89 = 0 THEN 'a value longer than twelve bytes ' || i
                  WHEN i % 5 = 0 THEN 'é' || i ELSE 'k' || i END AS many,
             ['', 'a', 'ü日本', 'twelve bytes', 'thirteen byte', 'x'][i % 6 + 1] AS few
      FROM range(30000) t(i)`);
    const caches = [new InlineStringCache(), new InlineStringCache()];
    let rows = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (let c = 0; c < 2; c++) {
        const vector = chunk.getColumnVector(c);
        const keys = readVarcharKeys(vector, chunk.rowCount, caches[c] as InlineStringCache, true);
        for (let r = 0; r < chunk.rowCount; r++) {
          const v = vector.getItem(r);
          assert.equal(keys[r], v === null ? null : binaryKeyOfText(String(v)), `row ${rows + r} of column ${c}`);
        }
      }
      rows += chunk.rowCount;
    }
    assert.equal(rows, 30000);
    assert.equal(caches[0]?.useful, false, "the cache of 30,000 distinct values was given up");
    assert.equal(caches[1]?.useful, true, "the cache of six values is kept");
  } finally {
    duck.close();
  }
});
