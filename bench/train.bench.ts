/**
 * Training benchmarks (issue: training): throughput of the built-in feed-forward trainer on 200k rows × 20 float
 * features (binary label), MLP 64-64, batch 256, on the WASM (SIMD, one thread) and the pure-JS CPU backends,
 * against raw TF.js `model.fit` on in-memory tensors with the same network. The target: Koan's data feeding costs
 * less than 10% on top of `model.fit` per epoch. The one-time decode of the TFRecord shards into memory is
 * reported on its own (and as a share of a whole training of EPOCHS epochs).
 *
 * FLOPs per example: 3 × the forward pass's 2·(20·64 + 64·64 + 64·1) multiply-adds (backward ≈ 2 × forward).
 * KOAN_BENCH_TRAIN_EPOCHS sets the WASM epochs (default 2; the CPU backend runs 1).
 *
 * Both sides run on one thread, so besides wall-clock throughput the ratios are also given in CPU time of this
 * process (user + system), which other load on a shared machine disturbs much less than wall-clock time.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createRng } from "../src/core/rng.js";
import { DatasetWriter } from "../src/data/dataset/writer.js";
import type { Example, Feature } from "../src/data/example/types.js";
import type { Dataset } from "../src/data/dataset/dataset.js";
import { useBackend } from "../src/train/backend.js";
import { buildFeedForward } from "../src/train/feed-forward.js";
import type { FeatureSpec } from "../src/train/feature-spec.js";
import { feedForwardParams } from "../src/train/params.js";
import { trainModel } from "../src/train/train-model.js";
import { figure } from "./util.js";

const ROWS = 200_000;
const FEATURES = 20;
const BATCH = 256;
const FLOPS_PER_EXAMPLE = 3 * 2 * (FEATURES * 64 + 64 * 64 + 64 * 1);

async function writeDataset(folder: string): Promise<{ data: Dataset; x: Float32Array; y: Float32Array }> {
  const rng = createRng(42);
  const x = new Float32Array(ROWS * FEATURES);
  const y = new Float32Array(ROWS);
  const w = await DatasetWriter.create(folder, { splits: ["train"], shards: 4, kinds: { label: "int64" } });
  const names = Array.from({ length: FEATURES }, (_, j) => `f${String(j).padStart(2, "0")}`);
  for (let i = 0; i < ROWS; i++) {
    const ex = new Map<string, Feature>();
    let z = 0;
    for (let j = 0; j < FEATURES; j++) {
      const v = Math.fround(rng.normal());
      x[i * FEATURES + j] = v;
      ex.set(names[j] as string, { kind: "float", values: Float32Array.of(v) });
      z += v * (j % 3 === 0 ? 1 : -0.5);
    }
    const label = z + rng.normal() > 0 ? 1 : 0;
    y[i] = label;
    ex.set("label", { kind: "int64", values: BigInt64Array.of(BigInt(label)) });
    await w.write("train", ex as Example);
  }
  return { data: await w.close(), x, y };
}

const spec: FeatureSpec = {
  inputs: Array.from({ length: FEATURES }, (_, j) => ({ name: `f${String(j).padStart(2, "0")}`, dtype: "float32" as const, shape: [] })),
  label: { name: "label", kind: "binary" },
};

/** CPU seconds (user + system) of this process so far. */
function cpuS(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

interface Timing {
  /** Wall-clock seconds. */
  wall: number;
  /** CPU seconds of this process. */
  cpu: number;
}

/** Koan's trainer end to end; times from its own log lines: decode (feeds opened) and the epochs. */
async function koanTrain(data: Dataset, backend: "wasm" | "cpu", epochs: number, outDir: string): Promise<{ decode: Timing; train: Timing }> {
  const t0 = performance.now();
  const c0 = cpuS();
  let ready = 0;
  let readyCpu = 0;
  let end = 0;
  let endCpu = 0;
  await trainModel({
    dataset: data,
    spec,
    params: feedForwardParams.parse({ epochs, batchSize: BATCH, hiddenUnits: [64, 64], validationSplit: null, backend }),
    rng: createRng(1),
    seed: 1,
    outDir,
    log: {
      info: (m: string) => {
        if (m.startsWith("TF.js backend:")) [ready, readyCpu] = [performance.now(), cpuS()];
        if (m.startsWith("epoch ")) [end, endCpu] = [performance.now(), cpuS()];
      },
      warn: () => undefined,
      metric: () => undefined,
    },
  });
  return { decode: { wall: (ready - t0) / 1000, cpu: readyCpu - c0 }, train: { wall: (end - ready) / 1000, cpu: endCpu - readyCpu } };
}

/** Raw TF.js: the same network, `model.fit` on tensors already in memory. */
async function rawFit(x: Float32Array, y: Float32Array, backend: "wasm" | "cpu", epochs: number): Promise<Timing> {
  const { tf } = await useBackend(backend);
  const model = buildFeedForward(tf, { width: FEATURES, task: "binary", numClasses: 2, params: feedForwardParams.parse({ batchSize: BATCH, hiddenUnits: [64, 64] }), rng: createRng(1) });
  const xs = tf.tensor2d(x, [ROWS, FEATURES]);
  const ys = tf.tensor2d(y, [ROWS, 1]);
  const t = performance.now();
  const c = cpuS();
  await model.fit(xs, ys, { batchSize: BATCH, epochs, shuffle: true, verbose: 0 });
  const timing = { wall: (performance.now() - t) / 1000, cpu: cpuS() - c };
  tf.dispose([xs, ys]);
  model.dispose();
  return timing;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "koan-bench-train-"));
  try {
    const t = performance.now();
    const { data, x, y } = await writeDataset(join(dir, "data"));
    figure(`write the dataset (${ROWS / 1000}k rows × ${FEATURES} features, 4 gzip shards)`, (performance.now() - t) / 1000, "s");
    const wasmEpochs = Number(process.env.KOAN_BENCH_TRAIN_EPOCHS ?? 2);
    for (const [backend, epochs] of [["wasm", wasmEpochs], ["cpu", 1]] as const) {
      const raw = await rawFit(x, y, backend, epochs);
      const k = await koanTrain(data, backend, epochs, join(dir, `out-${backend}`));
      const examples = ROWS * epochs;
      const gflops = (s: number) => `${((examples * FLOPS_PER_EXAMPLE) / s / 1e9).toFixed(2)} GFLOP/s (CPU time: ${((examples * FLOPS_PER_EXAMPLE) / (s === raw.wall ? raw.cpu : k.train.cpu) / 1e9).toFixed(2)})`;
      figure(`${backend}: raw tf model.fit (in-memory tensors), ${epochs} epoch(s)`, examples / raw.wall, "ex/s", gflops(raw.wall));
      figure(`${backend}: Koan trainer, training loop`, examples / k.train.wall, "ex/s", gflops(k.train.wall));
      const ratio = k.train.cpu / raw.cpu;
      figure(`${backend}: Koan training loop / raw model.fit, CPU time`, ratio, "×", `target feeding cost < 10% (≤ 1.10×): ${ratio <= 1.1 ? "met" : "NOT met"}`);
      figure(`${backend}: Koan training loop / raw model.fit, wall clock`, k.train.wall / raw.wall, "×");
      figure(`${backend}: one-time decode of the shards into memory`, k.decode.wall, "s", `${Math.round(ROWS / k.decode.wall)} rows/s (CPU ${k.decode.cpu.toFixed(1)} s)`);
      figure(`${backend}: Koan end to end (decode + ${epochs} epoch(s)) / raw model.fit, CPU time`, (k.decode.cpu + k.train.cpu) / raw.cpu, "×");
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
