/** The transform library on its own (no runner): hash vectors, mergeable analyzers, plan checks, parsing. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  TransformAnalyzer,
  fitTransform,
  resolvePlan,
  preprocessParams,
  parseTransform,
  serializeTransform,
  murmur3x86_128,
  hash64,
  hash64String,
  hashBucket,
  hashMod,
  applyTransform,
  rowScalar,
} from "../../src/transform/index.js";

test("the fixed hash is MurmurHash3 x86_128 (SMHasher verification value 0xB3ECE62A)", () => {
  const key = new Uint8Array(256);
  const hashes = new Uint8Array(16 * 256);
  const view = new DataView(hashes.buffer);
  for (let i = 0; i < 256; i++) {
    key[i] = i;
    murmur3x86_128(key.subarray(0, i), 256 - i).forEach((w, j) => view.setUint32(i * 16 + j * 4, w, true));
  }
  assert.equal(murmur3x86_128(hashes, 0)[0], 0xb3ece62a);
  assert.deepEqual(murmur3x86_128(new Uint8Array(0), 0), [0, 0, 0, 0]);
  // Pinned values: these must never change (they decide splits and buckets of every stored artifact).
  assert.equal(hash64String(hash64(new TextEncoder().encode("koan"), 0)), hash64String(hash64(new TextEncoder().encode("koan"))));
  const h = hash64(new TextEncoder().encode("Torgersen"));
  assert.equal(hashMod(h, 1), 0);
  const big = (BigInt(h.hi) << 32n) | BigInt(h.lo);
  for (const n of [2, 7, 100, 1000003, 2 ** 31 - 1]) assert.equal(hashMod(h, n), Number(big % BigInt(n)), `mod ${n}`);
  assert.equal(hashBucket("Torgersen", 97), Number(big % 97n));
});

const rows = Array.from({ length: 5000 }, (_, i) => ({ x: (i * 7919) % 1000, s: `v${(i * 31) % 17}`, y: i % 3 ? "a" : "b" }));
const kinds = { x: "float", s: "bytes", y: "bytes" } as const;

test("analyzers merge across shards: per-shard states merged equal one pass (exact statistics)", () => {
  const config = preprocessParams.parse({ label: "y", features: { x: { fill: "median", ops: [{ type: "clip", min: 0 }, "bucketize"] }, s: { fill: "mode", ops: ["onehot"] } } });
  const plan = resolvePlan({ config, kinds, splits: ["train"] });
  const get = (row: (typeof rows)[number]) => (name: string, kind: "float" | "bytes" | "int64") => rowScalar((row as Record<string, unknown>)[name], name, kind);
  const one = new TransformAnalyzer(plan);
  for (const r of rows) one.add(get(r));
  const merged = new TransformAnalyzer(plan);
  for (let shard = 0; shard < 4; shard++) {
    const a = new TransformAnalyzer(plan);
    rows.forEach((r, i) => i % 4 === shard && a.add(get(r)));
    // Through JSON, as a distributed run would ship the state.
    merged.merge(TransformAnalyzer.fromJSON(plan, JSON.parse(JSON.stringify(a.toJSON()))));
  }
  const t1 = fitTransform(plan, one);
  const t2 = fitTransform(plan, merged);
  assert.deepEqual(t2.label, t1.label);
  assert.deepEqual(t2.features.find((f) => f.name === "s"), t1.features.find((f) => f.name === "s"), "vocabulary and mode");
  assert.equal(t2.analyzers.x?.count, 5000);
  assert.equal(t2.analyzers.x?.min, t1.analyzers.x?.min);
  assert.equal(t2.analyzers.x?.max, t1.analyzers.x?.max);
  assert.ok(Math.abs((t2.analyzers.x?.mean ?? 0) - (t1.analyzers.x?.mean ?? 1)) < 1e-9);
  assert.ok(Math.abs((t2.analyzers.x?.variance ?? 0) - (t1.analyzers.x?.variance ?? 1)) < 1e-6);
  // Quantiles come from a KLL sketch (exact below 1024 values); merged boundaries stay within its rank error.
  const b1 = (t1.features.find((f) => f.name === "x")!.ops[1] as unknown as { boundaries: number[] }).boundaries;
  const b2 = (t2.features.find((f) => f.name === "x")!.ops[1] as unknown as { boundaries: number[] }).boundaries;
  assert.equal(b1.length, 9);
  b1.forEach((b, i) => assert.ok(Math.abs(b - (b2[i] as number)) <= 20, `boundary ${i}: ${b} vs ${b2[i]}`));
  b1.forEach((b, i) => assert.ok(Math.abs(b - (i + 1) * 100) <= 20, `decile ${i + 1}: ${b}`));
});

test("a transform fitted in memory applies to rows; its JSON round-trips and newer formats are refused", () => {
  const config = preprocessParams.parse({ label: "y" });
  const plan = resolvePlan({ config, kinds, splits: ["train"] });
  const a = new TransformAnalyzer(plan);
  for (const r of rows) a.add((name, kind) => rowScalar((r as Record<string, unknown>)[name], name, kind));
  const t = fitTransform(plan, a);
  const back = parseTransform(serializeTransform(t));
  assert.deepEqual(back, t);
  assert.deepEqual(applyTransform(back, rows[5]!), applyTransform(t, rows[5]!));
  assert.throws(() => parseTransform(JSON.stringify({ ...t, version: 99 })), /format version 99 is newer than this Koan reads/);
  assert.throws(() => parseTransform("{"), /not JSON/);
  assert.throws(() => parseTransform(JSON.stringify({ format: "other" })), /not a Koan transform/);
  // Serving rows: strings for numbers are read, multi-valued features and junk are errors naming the feature.
  assert.deepEqual(applyTransform(t, { x: "500" }).x, applyTransform(t, { x: 500 }).x);
  assert.throws(() => applyTransform(t, { x: [1, 2] }), /feature "x" has 2 values/);
  assert.throws(() => applyTransform(t, { x: "abc" }), /feature "x" \(float\): cannot read string "abc"/);
});

test("plan checks run before any data is read", () => {
  const plan = (features: unknown, extra: Record<string, unknown> = {}) => resolvePlan({ config: preprocessParams.parse({ features, ...extra }), kinds, splits: ["train"] });
  assert.throws(() => plan({ x: "onehot" }, { keepRaw: ["zz"] }), /kept raw feature "zz" is not a column/);
  assert.throws(() => plan({}, { crosses: [{ features: ["s", "q"], buckets: 3 }] }), /crossed feature "q" is not a column/);
  assert.throws(() => plan({ s: "bool", x: { fill: { constant: "a" }, ops: ["zscore"] } }), /fill constant "a" does not match its kind \(float\)/);
  assert.throws(() => plan({ s: { fill: "mean", ops: ["onehot"] } }), /fill "mean" needs numbers/);
  assert.throws(() => plan({ x: { ops: [{ type: "minmax", min: 1, max: 1 }] } }), /minmax range \[1, 1\] is empty/);
  assert.throws(() => plan({}, { exclude: ["x", "s", "y"] }), /has no features/);
  const p = plan({ x: "drop" }, { label: "y" });
  assert.deepEqual(p.features.map((f) => f.name), ["s"]);
});
