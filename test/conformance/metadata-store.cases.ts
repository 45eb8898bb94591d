/**
 * The metadata store conformance suite: every flavor runs these cases (SQLite and PostgreSQL).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { ArtifactRecord, MetadataStore, RunRecord, StepRunRecord } from "../../src/stores/metadata/types.js";
import { LATEST_SCHEMA_VERSION } from "../../src/stores/metadata/migrations/index.js";
import { isKoanError } from "../../src/core/errors.js";

/** How a flavor takes part. */
export interface MetadataStoreSubject {
  flavor: string;
  /** A fresh, empty store; `reopen` opens the same store again. */
  open(): Promise<{ store: MetadataStore; reopen: () => Promise<MetadataStore>; setSchemaVersion: (v: number) => Promise<void> }>;
  gaps?: Record<string, string>;
}

let seq = 0;
const t0 = Date.parse("2026-01-01T00:00:00Z");
const at = (i: number): string => new Date(t0 + i * 1000).toISOString();

export function run(over: Partial<RunRecord> = {}): RunRecord {
  seq++;
  return {
    id: `r-test-${String(seq).padStart(4, "0")}`,
    pipeline: "p",
    status: "running",
    startedAt: at(seq),
    endedAt: null,
    pipelineFile: null,
    sourceHash: "src",
    config: { seed: 0 },
    environment: { node: "v20" },
    stack: { name: "default" },
    spec: { nodes: [] },
    error: null,
    host: "h",
    pid: 1,
    ...over,
  };
}

export function stepRun(runId: string, step: string, over: Partial<StepRunRecord> = {}): StepRunRecord {
  seq++;
  return {
    id: `s-test-${String(seq).padStart(4, "0")}`,
    runId,
    step,
    stepType: step,
    status: "running",
    cacheKey: `key-${step}`,
    cacheHit: false,
    cachedFrom: null,
    codeHash: "code",
    params: { a: 1 },
    startedAt: at(seq),
    endedAt: null,
    durationMs: null,
    attempts: 0,
    error: null,
    logBlob: null,
    meta: {},
    ...over,
  };
}

export function artifact(producer: string, port: string, hash: string): ArtifactRecord {
  seq++;
  return {
    id: `a-test-${String(seq).padStart(4, "0")}`,
    type: "json",
    materializer: "koan.json",
    materializerVersion: 1,
    contentHash: hash,
    uri: `file:///x/sha256/${hash}`,
    size: 10,
    producerStepRun: producer,
    outputName: port,
    createdAt: at(seq),
    meta: { preview: "1" },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const done = { status: "succeeded" as const, endedAt: at(999), durationMs: 5, attempts: 1, error: null, logBlob: null, meta: {} };

/** Record a finished step producing one artifact; returns ids. */
async function produce(s: MetadataStore, runId: string, step: string, hash: string, inputs: ArtifactRecord[] = [], blobs: string[] = [hash], key = `key-${step}`) {
  const sr = stepRun(runId, step, { cacheKey: key });
  await s.createStepRun(sr, inputs.map((a, i) => ({ stepRunId: sr.id, artifactId: a.id, kind: "input", port: `in${i}` })));
  const a = artifact(sr.id, "out", hash);
  await s.finishStepRun(sr.id, done, [{ port: "out", artifact: a, blobs }]);
  return { stepRun: sr, artifact: a };
}

export function metadataStoreConformance(subject: MetadataStoreSubject): void {
  const cases: [string, (s: MetadataStore, h: Awaited<ReturnType<MetadataStoreSubject["open"]>>) => Promise<void>][] = [
    [
      "a new store is at the latest schema version",
      async (s) => assert.equal(await s.schemaVersion(), LATEST_SCHEMA_VERSION),
    ],
    [
      "runs round-trip with JSON fields and finish",
      async (s) => {
        const r = run({ config: { seed: 7, params: { train: { lr: 0.1 } } } });
        await s.createRun(r);
        assert.deepEqual(await s.getRun(r.id), r);
        await s.finishRun(r.id, "failed", at(5000), { code: "STEP_FAILED", message: "boom", stack: "Error: boom" });
        const got = await s.getRun(r.id);
        assert.equal(got?.status, "failed");
        assert.equal(got?.endedAt, at(5000));
        assert.deepEqual(got?.error, { code: "STEP_FAILED", message: "boom", stack: "Error: boom" });
        assert.equal(await s.getRun("r-missing"), undefined);
      },
    ],
    [
      "duplicate run ids are refused",
      async (s) => {
        const r = run();
        await s.createRun(r);
        await assert.rejects(s.createRun({ ...r }));
      },
    ],
    [
      "listRuns is newest first, filters by pipeline and status, and pages",
      async (s) => {
        const made: RunRecord[] = [];
        for (let i = 0; i < 7; i++) {
          const r = run({ pipeline: i % 2 ? "odd" : "even", status: i === 3 ? "failed" : "succeeded" });
          made.push(r);
          await s.createRun(r);
        }
        const all = await s.listRuns({ limit: 100 });
        assert.deepEqual(all.map((r) => r.id), made.map((r) => r.id).reverse());
        assert.deepEqual((await s.listRuns({ pipeline: "odd" })).map((r) => r.pipeline), ["odd", "odd", "odd"]);
        assert.deepEqual((await s.listRuns({ status: "failed" })).map((r) => r.id), [made[3]?.id]);
        const page2 = await s.listRuns({ limit: 3, offset: 3 });
        assert.deepEqual(page2.map((r) => r.id), made.map((r) => r.id).reverse().slice(3, 6));
        assert.equal(await s.countRuns({}), 7);
        assert.equal(await s.countRuns({ pipeline: "even" }), 4);
        const before = await s.listRuns({ before: made[2]?.startedAt as string });
        assert.deepEqual(before.map((r) => r.id), [made[1]?.id, made[0]?.id]);
      },
    ],
    [
      "findRuns matches id prefixes",
      async (s) => {
        const r = run({ id: "r-prefix-abc" });
        await s.createRun(r);
        await s.createRun(run({ id: "r-prefix-abd" }));
        assert.deepEqual((await s.findRuns("r-prefix-abc")).map((x) => x.id), ["r-prefix-abc"]);
        assert.equal((await s.findRuns("r-prefix-ab")).length, 2);
        assert.equal((await s.findRuns("r-nothing")).length, 0);
      },
    ],
    [
      "step runs record inputs, outputs, blobs and events",
      async (s) => {
        const r = run();
        await s.createRun(r);
        const a = await produce(s, r.id, "a", "h1", [], ["h1", "h2"]);
        const b = await produce(s, r.id, "b", "h3", [a.artifact]);
        const steps = await s.listStepRuns(r.id);
        assert.deepEqual(steps.map((x) => x.step), ["a", "b"]);
        assert.equal(steps[0]?.status, "succeeded");
        assert.deepEqual(steps[0]?.params, { a: 1 });
        assert.deepEqual(await s.getArtifact(a.artifact.id), a.artifact);
        assert.deepEqual(await s.artifactBlobs(a.artifact.id), ["h1", "h2"]);
        const ev = await s.eventsOfStepRuns([b.stepRun.id]);
        assert.deepEqual(ev.map((e) => [e.kind, e.artifactId, e.port]).sort(), [["input", a.artifact.id, "in0"], ["output", b.artifact.id, "out"]].sort());
        const consumers = await s.eventsOfArtifacts([a.artifact.id]);
        assert.deepEqual(consumers.map((e) => [e.stepRunId, e.kind]).sort(), [[a.stepRun.id, "output"], [b.stepRun.id, "input"]].sort());
      },
    ],
    [
      "a step name is unique within a run",
      async (s) => {
        const r = run();
        await s.createRun(r);
        await s.createStepRun(stepRun(r.id, "x"), []);
        await assert.rejects(s.createStepRun(stepRun(r.id, "x"), []));
      },
    ],
    [
      "a step run that did not succeed can be discarded (inputs and metrics too), so the step runs again",
      async (s) => {
        const r = run();
        await s.createRun(r);
        const a = await produce(s, r.id, "a", "dh1");
        const dead = stepRun(r.id, "b");
        await s.createStepRun(dead, [{ stepRunId: dead.id, artifactId: a.artifact.id, kind: "input", port: "in" }]);
        await s.logMetrics([{ stepRunId: dead.id, name: "loss", value: 1, step: 0, seq: 0, at: at(1) }]);
        await s.discardStepRun(dead.id);
        assert.equal(await s.getStepRun(dead.id), undefined);
        assert.deepEqual(await s.eventsOfStepRuns([dead.id]), []);
        assert.deepEqual((await s.metricsOfRun(r.id)).map((m) => m.stepRunId), []);
        const again = stepRun(r.id, "b");
        await s.createStepRun(again, []);
        assert.deepEqual((await s.listStepRuns(r.id)).map((x) => x.id).sort(), [a.stepRun.id, again.id].sort());
        await assert.rejects(s.discardStepRun(a.stepRun.id), /cannot be discarded/);
        assert.equal((await s.getStepRun(a.stepRun.id))?.status, "succeeded");
        await s.discardStepRun("s-missing");
      },
    ],
    [
      "finishing a step is all or nothing",
      async (s) => {
        const r = run();
        await s.createRun(r);
        const sr = stepRun(r.id, "x");
        await s.createStepRun(sr, []);
        const a1 = artifact(sr.id, "one", "hh1");
        const dup = { ...artifact(sr.id, "two", "hh2"), id: a1.id };
        await assert.rejects(s.finishStepRun(sr.id, done, [{ port: "one", artifact: a1, blobs: ["hh1"] }, { port: "two", artifact: dup, blobs: ["hh2"] }]));
        assert.equal((await s.getStepRun(sr.id))?.status, "running");
        assert.equal(await s.getArtifact(a1.id), undefined);
        assert.deepEqual(await s.eventsOfStepRuns([sr.id]), []);
      },
    ],
    [
      "findCached returns the latest successful step run with that key and its outputs",
      async (s) => {
        const r = run();
        await s.createRun(r);
        const first = await produce(s, r.id, "a", "c1", [], ["c1"], "K");
        const failed = stepRun(r.id, "a2", { cacheKey: "K" });
        await s.createStepRun(failed, []);
        await s.finishStepRun(failed.id, { ...done, status: "failed", error: { code: "STEP_FAILED", message: "x" } }, []);
        const hit = await s.findCached("K");
        assert.equal(hit?.stepRun.id, first.stepRun.id);
        assert.deepEqual(hit?.outputs.map((o) => o.artifactId), [first.artifact.id]);
        assert.equal(await s.findCached("other"), undefined);
      },
    ],
    [
      "a cache hit reuses artifacts through new output events",
      async (s) => {
        const r1 = run();
        const r2 = run();
        await s.createRun(r1);
        await s.createRun(r2);
        const orig = await produce(s, r1.id, "a", "z1");
        const hit = stepRun(r2.id, "a", { cacheHit: true, cachedFrom: orig.stepRun.id });
        await s.createStepRun(hit, []);
        await s.finishStepRun(hit.id, done, [], [{ stepRunId: hit.id, artifactId: orig.artifact.id, kind: "output", port: "out" }]);
        const got = await s.getStepRun(hit.id);
        assert.equal(got?.cacheHit, true);
        assert.equal(got?.cachedFrom, orig.stepRun.id);
        assert.deepEqual((await s.eventsOfArtifacts([orig.artifact.id])).map((e) => e.stepRunId).sort(), [orig.stepRun.id, hit.id].sort());
      },
    ],
    [
      "endRunningSteps marks only running steps",
      async (s) => {
        const r = run();
        await s.createRun(r);
        await produce(s, r.id, "ok", "e1");
        await s.createStepRun(stepRun(r.id, "busy"), []);
        await s.endRunningSteps(r.id, "interrupted", at(77));
        const st = Object.fromEntries((await s.listStepRuns(r.id)).map((x) => [x.step, x.status]));
        assert.deepEqual(st, { ok: "succeeded", busy: "interrupted" });
        assert.deepEqual((await s.runningRuns()).map((x) => x.id), [r.id]);
      },
    ],
    [
      "metrics keep their order per step run",
      async (s) => {
        const r = run();
        await s.createRun(r);
        const sr = stepRun(r.id, "train");
        await s.createStepRun(sr, []);
        await s.logMetrics([0.9, 0.5, 0.25].map((value, i) => ({ stepRunId: sr.id, name: "loss", value, step: i, seq: i, at: at(i) })));
        await s.logMetrics([{ stepRunId: sr.id, name: "acc", value: 0.75, step: null, seq: 3, at: at(3) }]);
        const m = await s.metricsOfRun(r.id);
        assert.deepEqual(m.map((x) => [x.stepName, x.name, x.value, x.step]), [["train", "acc", 0.75, null], ["train", "loss", 0.9, 0], ["train", "loss", 0.5, 1], ["train", "loss", 0.25, 2]]);
      },
    ],
    [
      "deleting runs removes what only they used and keeps what others use",
      async (s) => {
        const old = run();
        const kept = run();
        await s.createRun(old);
        await s.createRun(kept);
        const shared = await produce(s, old.id, "source", "blob-shared", [], ["blob-shared"]);
        const only = await produce(s, old.id, "private", "blob-private", [], ["blob-private", "blob-common"]);
        const other = await produce(s, kept.id, "consumer", "blob-kept", [shared.artifact], ["blob-kept", "blob-common"]);
        const res = await s.deleteRuns([old.id]);
        assert.deepEqual(res.artifacts, [only.artifact.id]);
        assert.deepEqual(res.blobs, ["blob-private"]);
        assert.equal(await s.getRun(old.id), undefined);
        assert.equal(await s.getArtifact(only.artifact.id), undefined);
        assert.ok(await s.getArtifact(shared.artifact.id), "an artifact a kept run used stays");
        assert.ok(await s.getArtifact(other.artifact.id));
        assert.equal((await s.eventsOfArtifacts([only.artifact.id])).length, 0);
        assert.equal(await s.findCached(only.stepRun.cacheKey as string), undefined, "no cache entry points at a deleted artifact");
      },
    ],
    [
      "a free lease goes to one owner; others are refused until it is released",
      async (s) => {
        assert.equal(await s.getLease("L1"), undefined);
        assert.equal(await s.acquireLease("L1", "alice", 60_000), true);
        assert.equal(await s.acquireLease("L1", "bob", 60_000), false);
        const info = await s.getLease("L1");
        assert.equal(info?.owner, "alice");
        assert.equal(info?.expired, false);
        assert.ok((info?.expiresAt ?? 0) > (info?.acquiredAt ?? 0));
        await s.releaseLease("L1", "bob");
        assert.equal((await s.getLease("L1"))?.owner, "alice", "releasing someone else's lease does nothing");
        assert.equal(await s.acquireLease("L2", "bob", 60_000), true, "leases are per key");
        await s.releaseLease("L1", "alice");
        assert.equal(await s.getLease("L1"), undefined);
        assert.equal(await s.acquireLease("L1", "bob", 60_000), true);
      },
    ],
    [
      "the holder can renew and re-acquire; a lost lease cannot be renewed",
      async (s) => {
        assert.equal(await s.acquireLease("R", "alice", 60_000), true);
        const first = (await s.getLease("R"))?.expiresAt ?? 0;
        await sleep(5);
        assert.equal(await s.renewLease("R", "alice", 120_000), true);
        assert.ok(((await s.getLease("R"))?.expiresAt ?? 0) > first, "renewing moves the expiry");
        assert.equal(await s.acquireLease("R", "alice", 60_000), true, "the holder may acquire again");
        assert.equal(await s.renewLease("R", "bob", 60_000), false);
        await s.releaseLease("R", "alice");
        assert.equal(await s.renewLease("R", "alice", 60_000), false, "a released lease is gone");
      },
    ],
    [
      "an expired lease can be taken over, and its old holder has lost it",
      async (s) => {
        assert.equal(await s.acquireLease("E", "crashed", 1), true);
        await sleep(30);
        assert.equal((await s.getLease("E"))?.expired, true);
        assert.equal(await s.acquireLease("E", "waiter", 60_000), true);
        assert.equal((await s.getLease("E"))?.owner, "waiter");
        assert.equal(await s.renewLease("E", "crashed", 60_000), false);
        await s.releaseLease("E", "crashed");
        assert.equal((await s.getLease("E"))?.owner, "waiter", "the old holder's release does not free the new holder's lease");
      },
    ],
    [
      "of many concurrent acquirers on two connections, exactly one wins",
      async (s, h) => {
        const other = await h.reopen();
        try {
          for (const key of ["C1", "C2", "C3"]) {
            const tries = Array.from({ length: 16 }, (_, i) => (i % 2 ? other : s).acquireLease(key, `owner-${i}`, 60_000));
            const won = (await Promise.all(tries)).filter(Boolean).length;
            assert.equal(won, 1, `key ${key}`);
          }
        } finally {
          await other.close();
        }
      },
    ],
    [
      "concurrent run and step writes on two connections lose no updates",
      async (s, h) => {
        const other = await h.reopen();
        try {
          const runs = Array.from({ length: 12 }, () => run());
          await Promise.all(runs.map((r, i) => (i % 2 ? other : s).createRun(r)));
          await Promise.all(runs.map((r, i) => produce(i % 2 ? s : other, r.id, "only", `cw-${i}`)));
          await Promise.all(runs.map((r, i) => (i % 2 ? other : s).finishRun(r.id, "succeeded", at(9000 + i), null)));
          for (const r of runs) {
            const got = await s.getRun(r.id);
            assert.equal(got?.status, "succeeded");
            const steps = await other.listStepRuns(r.id);
            assert.deepEqual(steps.map((x) => [x.step, x.status]), [["only", "succeeded"]]);
            assert.equal((await s.eventsOfStepRuns(steps.map((x) => x.id))).length, 1);
          }
        } finally {
          await other.close();
        }
      },
    ],
    [
      "the store has a display URI without a password",
      async (s) => {
        assert.ok(s.uri.startsWith(`${s.flavor}:`), s.uri);
        assert.doesNotMatch(s.uri, /:\/\/[^/@:]*:(?!\*\*\*@)[^/@]*@/, "no password in the URI");
      },
    ],
    [
      "a store written by a newer Koan is refused and left unchanged",
      async (s, h) => {
        await h.setSchemaVersion(LATEST_SCHEMA_VERSION + 5);
        await s.close();
        await assert.rejects(h.reopen(), (e) => isKoanError(e, "STORE_TOO_NEW") && /newer|upgrade/i.test(`${e.message} ${e.hint}`));
        await h.setSchemaVersion(LATEST_SCHEMA_VERSION);
        const again = await h.reopen();
        assert.equal(await again.schemaVersion(), LATEST_SCHEMA_VERSION);
        await again.close();
      },
    ],
    [
      "searchRuns filters on parameters and last metric values, sorts with missing values last, and pages",
      async (s) => {
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const r = run({ pipeline: i < 4 ? "train_p" : "Other", status: i === 5 ? "failed" : "succeeded", config: { seed: 0, params: { train: { epochs: 10 * (i + 1), opt: i % 2 ? "adam" : "sgd", note: i === 2 ? "Big Model" : "small", layers: [i, 2] } } } });
          await s.createRun(r);
          ids.push(r.id);
          if (i === 4) continue; // no metrics at all
          const sr = stepRun(r.id, "train");
          await s.createStepRun(sr, []);
          await s.logMetrics([0, 1, 2].map((k) => ({ stepRunId: sr.id, name: "loss", value: 1 / (i + 1) + (2 - k), step: k, seq: k, at: at(k) })));
          await s.logMetrics([{ stepRunId: sr.id, name: "accuracy", value: i / 10, step: null, seq: 3, at: at(3) }]);
        }
        // A cache hit's step has the values of the step run it reused.
        const hit = run({ config: { seed: 0, params: { train: { epochs: 999 } } } });
        await s.createRun(hit);
        const source = (await s.listStepRuns(ids[3] as string))[0] as StepRunRecord;
        await s.createStepRun(stepRun(hit.id, "train", { cacheHit: true, cachedFrom: source.id }), []);
        const found = async (q: Parameters<MetadataStore["searchRuns"]>[0]): Promise<string[]> => (await s.searchRuns(q)).runs.map((r) => r.id);
        const idx = (...is: number[]): string[] => is.map((i) => ids[i] as string);

        assert.deepEqual(await found({ params: [{ key: "train.epochs", op: ">=", value: "30" }], sort: { field: "params.train.epochs", desc: false } }), [...idx(2, 3, 4, 5), hit.id]);
        assert.deepEqual(await found({ params: [{ key: "train.epochs", op: "=", value: "30" }] }), idx(2));
        assert.deepEqual(await found({ params: [{ key: "train.opt", op: "=", value: "adam" }, { key: "train.epochs", op: "<", value: "50" }] }), idx(3, 1));
        assert.deepEqual(await found({ params: [{ key: "train.note", op: "~", value: "big m" }] }), idx(2));
        assert.deepEqual(await found({ params: [{ key: "train.opt", op: "!=", value: "adam" }] }), idx(4, 2, 0), "a run without the key never matches, not even !=");
        assert.deepEqual(await found({ params: [{ key: "train.layers", op: "=", value: "[3,2]" }] }), idx(3), "non-scalar values compare as JSON");
        assert.deepEqual(await found({ metrics: [{ key: "train.accuracy", op: ">", value: "0.15" }] }), [hit.id, ...idx(5, 3, 2)]);
        assert.deepEqual(await found({ metrics: [{ key: "train.loss", op: "<", value: "0.3" }] }), [hit.id, ...idx(5, 3)], "the last value counts");
        assert.deepEqual(await found({ metrics: [{ key: "train.accuracy", op: "~", value: "0.3" }] }), [hit.id, ...idx(3)]);
        assert.deepEqual(await found({ sort: { field: "metrics.train.accuracy", desc: true }, limit: 3, offset: 4 }), [...idx(1, 0, 4)], "missing values last");
        assert.deepEqual(await found({ sort: { field: "metrics.train.accuracy", desc: false }, limit: 2 }), idx(0, 1));
        assert.deepEqual(await found({ pipeline: "Other", statuses: ["failed"] }), idx(5));
        assert.deepEqual(await found({ text: "TRAIN_" }), idx(3, 2, 1, 0));
        assert.deepEqual(await found({ text: "%" }), [], "LIKE wildcards are literal");
        const page = await s.searchRuns({ metrics: [{ key: "train.loss", op: ">", value: "0" }], limit: 2, offset: 1 });
        assert.equal(page.total, 6);
        assert.deepEqual(page.runs.map((r) => r.id), idx(5, 3));

        const last = await s.lastMetricsOfRuns([ids[3] as string, hit.id, ids[4] as string]);
        assert.deepEqual(last, { [ids[3] as string]: { "train.accuracy": 0.3, "train.loss": 0.25 }, [hit.id]: { "train.accuracy": 0.3, "train.loss": 0.25 }, [ids[4] as string]: {} });
        const keys = await s.runFacetKeys(200);
        assert.deepEqual(keys, { pipelines: ["Other", "p", "train_p"], params: ["train.epochs", "train.layers", "train.note", "train.opt"], metrics: ["train.accuracy", "train.loss"] });

        await s.deleteRuns([ids[3] as string]);
        assert.deepEqual(await found({ params: [{ key: "train.epochs", op: "=", value: "40" }] }), []);
        assert.deepEqual(await s.lastMetricsOfRuns([ids[3] as string]), { [ids[3] as string]: {} });
      },
    ],
    [
      "a discarded step run's metric values are forgotten; the step's next run sets them",
      async (s) => {
        const r = run();
        await s.createRun(r);
        const dead = stepRun(r.id, "fit");
        await s.createStepRun(dead, []);
        await s.logMetrics([{ stepRunId: dead.id, name: "loss", value: 5, step: 9, seq: 9, at: at(9) }]);
        assert.deepEqual(await s.lastMetricsOfRuns([r.id]), { [r.id]: { "fit.loss": 5 } });
        await s.discardStepRun(dead.id);
        assert.deepEqual(await s.lastMetricsOfRuns([r.id]), { [r.id]: {} });
        const again = stepRun(r.id, "fit");
        await s.createStepRun(again, []);
        await s.logMetrics([{ stepRunId: again.id, name: "loss", value: 2, step: 0, seq: 0, at: at(0) }]);
        assert.deepEqual(await s.lastMetricsOfRuns([r.id]), { [r.id]: { "fit.loss": 2 } });
      },
    ],
  ];
  for (const [name, fn] of cases) {
    const gap = subject.gaps?.[name];
    test(`[metadata-store:${subject.flavor}] ${name}`, gap ? { skip: `known gap: ${gap}` } : {}, async () => {
      const h = await subject.open();
      try {
        await fn(h.store, h);
      } finally {
        await h.store.close().catch(() => undefined);
      }
    });
  }
}
