/**
 * The columnar statistics path (what sources use while writing) against the Example path, and the optimized KLL
 * sketch against the textbook algorithm it implements.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRng } from "../../src/index.js";
import { StatisticsAccumulator } from "../../src/data/stats/accumulator.js";
import { binaryKeyOfText, type StatsColumn } from "../../src/data/stats/columns.js";
import { KllSketch } from "../../src/data/stats/kll.js";
import type { Example, Feature } from "../../src/data/example/types.js";
import type { StatsOptions } from "../../src/data/stats/options.js";

const utf8 = new TextEncoder();

/** The textbook sketch (arrays, sort on compaction): the reference the typed-array version must match. */
class ReferenceKll {
  levels: number[][] = [[]];
  parity: number[] = [0];
  n = 0;
  constructor(readonly k: number) {}
  capacity(level: number): number {
    let c = this.k;
    for (let i = 0; i < this.levels.length - 1 - level; i++) c *= 2 / 3;
    return Math.max(8, Math.floor(c));
  }
  size(): number {
    return this.levels.reduce((s, l) => s + l.length, 0);
  }
  total(): number {
    let t = 0;
    for (let h = 0; h < this.levels.length; h++) t += this.capacity(h);
    return t;
  }
  add(x: number): void {
    (this.levels[0] as number[]).push(x);
    this.n++;
    while (this.size() > this.total()) {
      let h = 0;
      while (h < this.levels.length && (this.levels[h] as number[]).length < this.capacity(h)) h++;
      if (h === this.levels.length) h--;
      if (h + 1 === this.levels.length) {
        this.levels.push([]);
        this.parity.push(0);
      }
      const items = Float64Array.from(this.levels[h] as number[]).sort();
      const start = items.length % 2;
      const offset = this.parity[h] as number;
      this.parity[h] = 1 - offset;
      for (let i = start + offset; i < items.length; i += 2) (this.levels[h + 1] as number[]).push(items[i] as number);
      this.levels[h] = start === 1 ? [items[0] as number] : [];
    }
  }
}

const sortedLevels = (levels: readonly (readonly number[])[]): number[][] => levels.map((l) => Array.from(Float64Array.from(l).sort()));

test("the KLL sketch holds the same items per level as the textbook algorithm, and answers alike", () => {
  const rng = createRng(11);
  for (const k of [8, 50, 1024]) {
    const fast = new KllSketch(k);
    const ref = new ReferenceKll(k);
    for (let i = 0; i < 60_000; i++) {
      const u = rng.next();
      const x = u < 0.2 ? Math.floor(rng.next() * 4) : u < 0.25 ? -0 : (rng.next() - 0.5) * 1e4;
      fast.add(x);
      ref.add(x);
    }
    const state = fast.toJSON();
    assert.equal(state.n, ref.n);
    assert.deepEqual(state.parity, ref.parity);
    assert.deepEqual(sortedLevels(state.levels), sortedLevels(ref.levels), `k=${k}`);
    // Rebuilt from its state and fed on: still the same.
    const copy = KllSketch.fromJSON(state); // (not through JSON text, which writes -0 as 0)
    for (let i = 0; i < 5000; i++) {
      const x = rng.next() * 7;
      copy.add(x);
      ref.add(x);
    }
    assert.deepEqual(sortedLevels(copy.toJSON().levels), sortedLevels(ref.levels));
  }
});

test("KllSketch.addRepeated gives the same sketch as adding one value at a time", () => {
  const rng = createRng(5);
  const a = new KllSketch(64);
  const b = new KllSketch(64);
  for (let run = 0; run < 400; run++) {
    const v = Math.floor(rng.next() * 3);
    const count = 1 + Math.floor(rng.next() * (run % 7 === 0 ? 900 : 30));
    a.addRepeated(v, count);
    for (let i = 0; i < count; i++) b.add(v);
  }
  assert.deepEqual(a.toJSON(), b.toJSON());
  assert.equal(a.quantile(1, 2), b.quantile(1, 2));
});

/** Random single-valued columns (some rows NULL) and the same rows as Examples. */
function randomChunk(seed: number, rows: number): { columns: StatsColumn[]; examples: Example[] } {
  const rng = createRng(seed);
  const floats = new Float64Array(rows);
  const floatValid = new Uint8Array(rows);
  const ints = new Float64Array(rows);
  const texts: (string | null)[] = [];
  const words = ["a", "b", "é", "日本", "🙂", "", "x".repeat(20)];
  const examples: Example[] = [];
  for (let r = 0; r < rows; r++) {
    const hasFloat = rng.next() > 0.1;
    floatValid[r] = hasFloat ? 1 : 0;
    floats[r] = r % 97 === 0 ? 1e300 : r % 89 === 0 ? Number.NaN : (rng.next() - 0.5) * 1000; // 1e300 is Infinity as float32
    ints[r] = r % 50 === 0 ? 2 ** 60 : Math.floor(rng.next() * 40) - 20;
    const text = rng.next() < 0.05 ? null : rng.next() < 0.5 ? (words[Math.floor(rng.next() * words.length)] as string) : `v${Math.floor(rng.next() * 3000)}`;
    texts.push(text);
    const ex = new Map<string, Feature>();
    ex.set("f", { kind: "float", values: hasFloat ? Float32Array.of(floats[r] as number) : new Float32Array(0) });
    ex.set("i", { kind: "int64", values: BigInt64Array.of(BigInt(ints[r] as number)) });
    ex.set("s", { kind: "bytes", values: text === null ? [] : [utf8.encode(text)] });
    examples.push(ex);
  }
  const columns: StatsColumn[] = [
    { name: "f", kind: "float", values: floats, valid: floatValid },
    { name: "i", kind: "int64", values: ints, valid: null },
    { name: "s", kind: "bytes", keys: texts.map((t) => (t === null ? null : binaryKeyOfText(t))), utf8: true },
  ];
  return { columns, examples };
}

for (const [label, options] of [
  ["default options", {}],
  ["small sketches, few exact values, empty lists missing", { quantileSketchK: 16, maxExactDistinct: 40, emptyListIsMissing: true }],
] as [string, StatsOptions][]) {
  test(`addColumns over strided rows equals adding the Examples one by one (${label})`, () => {
    const shards = 3;
    const byColumns = Array.from({ length: shards }, () => new StatisticsAccumulator(options));
    const byExamples = Array.from({ length: shards }, () => new StatisticsAccumulator(options));
    let base = 0;
    for (const [i, rows] of [700, 1, 2048, 5, 1333].entries()) {
      const { columns, examples } = randomChunk(100 + i, rows);
      for (let s = 0; s < shards; s++) (byColumns[s] as StatisticsAccumulator).addColumns(columns, rows, (((s - base) % shards) + shards) % shards, shards);
      examples.forEach((ex, r) => (byExamples[(base + r) % shards] as StatisticsAccumulator).add(ex));
      base += rows;
    }
    for (let s = 0; s < shards; s++) assert.deepEqual((byColumns[s] as StatisticsAccumulator).toJSON(), (byExamples[s] as StatisticsAccumulator).toJSON(), `shard ${s}`);
    const a = StatisticsAccumulator.mergeAll(byColumns).finish({ name: "all" });
    const b = StatisticsAccumulator.mergeAll(byExamples).finish({ name: "all" });
    assert.deepEqual(a, b);
    assert.equal(a.numExamples, 700 + 1 + 2048 + 5 + 1333);
    const f = a.features.find((x) => x.name === "f");
    assert.ok(f?.numStats && f.numStats.max === Number.POSITIVE_INFINITY, "1e300 is counted as the float32 it is stored as");
  });
}

test("addColumns refuses a feature whose values change kind, and a bad stride", () => {
  const acc = new StatisticsAccumulator();
  acc.addColumns([{ name: "x", kind: "float", values: [1], valid: null }], 1);
  assert.throws(() => acc.addColumns([{ name: "x", kind: "bytes", keys: ["a"], utf8: true }], 1), /float values in some examples and bytes/);
  assert.throws(() => acc.addColumns([], 1, 0, 0), /step >= 1/);
});

test("binaryKeyOfText is the latin1 form of the UTF-8 bytes, and the text itself when ASCII", () => {
  assert.equal(binaryKeyOfText("abc"), "abc");
  assert.equal(binaryKeyOfText("é"), "\u00c3\u00a9");
  assert.equal(binaryKeyOfText("\ud800"), "\u00ef\u00bf\u00bd"); // a lone surrogate is U+FFFD, as TextEncoder writes it
});
