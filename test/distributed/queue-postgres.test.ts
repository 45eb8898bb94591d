/**
 * The queue orchestrator on the team set-up the issue names: a shared artifact folder and a PostgreSQL metadata
 * store, a real Redis, two `koan worker` processes. Independent branches run on both workers; a worker killed with
 * SIGKILL mid-step hands its step to the other one and the run completes with one step run and one artifact.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { koan as cli, waitFor } from "../helpers.js";
import { postgresSkipReason, startPostgres, type PostgresServer } from "../stacks/postgres-server.js";
import { HEADER, queueWorld, type QueueWorld, type TestWorker } from "./queue-harness.js";
import { redisSkipReason } from "./redis-server.js";

const skip = redisSkipReason() ?? postgresSkipReason();
let pg: PostgresServer | undefined;
let w: QueueWorld | undefined;
let workers: TestWorker[] = [];

const PIPELINE = `${HEADER}
const first = step({ name: "first", outputs: { v: t.json<number>() }, run: () => ({ v: 2 }) });
const side = (name: string) => step({ name, inputs: { v: t.json<number>() }, outputs: { v: t.json<number>() }, run: async (ctx, { v }) => {
  mark(name);
  const end = Date.now() + 30000;
  while (count("left") + count("right") < 2 && Date.now() < end) await sleep(20, ctx.signal);
  await sleep(Number(process.env.KOAN_TEST_SIDE_MS ?? 0), ctx.signal);
  return { v: v + 1 };
} });
const left = side("left");
const right = side("right");
const join_ = step({ name: "join", inputs: { x: t.json<number>(), y: t.json<number>() }, outputs: { s: t.json<number>() }, run: (_c, { x, y }) => ({ s: x * y }) });
export default pipeline({ name: "pg-diamond", build: () => { const { v } = first(); join_({ x: left({ v }).v, y: right({ v }).v }); } });
`;

before(async () => {
  if (skip) return;
  pg = await startPostgres();
  w = await queueWorld({ metadataStore: `postgres://koan:{{secret:pg}}@127.0.0.1:${pg.port}/postgres?schema=queue_test`, env: { KOAN_SECRET_PG: pg.password, KOAN_TEST_SIDE_MS: "3000" } });
  await w.write("pipeline.ts", PIPELINE);
  workers = await Promise.all([w.startWorker(), w.startWorker()]);
});

after(async () => {
  await w?.close();
  await pg?.stop();
});

test("PostgreSQL + shared folder: branches run on both workers; a worker killed mid-step hands its step to the other", { skip }, async () => {
  const world = w as QueueWorld;
  const r = await cli(["run", "pipeline.ts", "--no-cache", "--detach", "--json"], world.dir, world.env);
  assert.equal(r.code, 0, r.stderr);
  const { runId } = JSON.parse(r.stdout) as { runId: string };
  await waitFor(async () => (await world.marks_("left")).length + (await world.marks_("right")).length === 2, 60_000, "both sides to start");
  const sides = [...(await world.marks_("left")), ...(await world.marks_("right"))];
  assert.equal(new Set(sides.map((f) => f.split(".")[1])).size, 2, "one side per worker");
  const victim = workers[0] as TestWorker;
  const victimSide = sides.find((f) => Number(f.split(".")[1]) === victim.pid)?.split(".")[0];
  victim.child.kill("SIGKILL");
  await victim.stop();
  const run = await world.ended(runId, 120_000);
  assert.equal(run.status, "succeeded", JSON.stringify(run.error));
  assert.equal(await world.client.load(`${runId}/join/s`), 9);
  const steps = await world.client.metadata.listStepRuns(runId);
  assert.deepEqual(steps.map((s) => s.status), ["succeeded", "succeeded", "succeeded", "succeeded"]);
  const taken = steps.find((s) => s.step === victimSide);
  assert.equal((taken?.meta as { takenOver?: unknown[] }).takenOver?.length, 1);
  assert.equal((await world.marks_(victimSide as string)).length, 2);
  assert.deepEqual((await world.client.verify()).problems, []);
});
