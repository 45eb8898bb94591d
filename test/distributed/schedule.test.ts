/**
 * Schedules on a queue stack: `koan schedule add` stores a BullMQ job scheduler; each firing makes a worker start
 * an ordinary tracked run of the pipeline file (with the schedule's parameters); `list` shows it, `remove` stops
 * it; a bad file, parameter, pattern or stack is refused before anything is stored.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { koan as cli, waitFor } from "../helpers.js";
import { HEADER, queueWorld, type QueueWorld } from "./queue-harness.js";
import { redisSkipReason } from "./redis-server.js";

const skip = redisSkipReason();
let w: QueueWorld;

const TICK = `${HEADER}
import { z } from "zod";
const tick = step({ name: "tick", params: z.object({ label: z.string().default("none") }), outputs: { label: t.json<string>() }, run: (_c, _i, p) => { mark("tick"); return { label: p.label }; } });
export default pipeline({ name: "tick", build: () => { tick(); } });
`;

before(async () => {
  if (skip) return;
  w = await queueWorld();
  await w.write("tick.ts", TICK);
  await w.startWorker();
});

after(async () => {
  if (w) await w.close();
});

test("a schedule fires ordinary tracked runs with its parameters until it is removed", { skip }, async () => {
  const added = await cli(["schedule", "add", "tick.ts", "--every", "1500ms", "--name", "quick", "-p", "tick.label=nightly", "--json"], w.dir, w.env);
  assert.equal(added.code, 0, added.stderr);
  const info = JSON.parse(added.stdout) as { name: string; pipelinePath: string; everyMs: number; params: string[]; next: string };
  assert.deepEqual([info.name, info.pipelinePath, info.everyMs, info.params], ["quick", "tick.ts", 1500, ["tick.label=nightly"]]);
  const cron = await cli(["schedule", "add", "tick.ts", "--cron", "0 3 * * *", "--tz", "Europe/Paris", "--name", "nightly"], w.dir, w.env);
  assert.equal(cron.code, 0, cron.stderr);
  const listed = await cli(["schedule", "list", "--json"], w.dir, w.env);
  const all = JSON.parse(listed.stdout) as { name: string; cron: string | null; tz: string | null; next: string | null }[];
  assert.deepEqual(all.map((s) => s.name), ["nightly", "quick"]);
  assert.equal(all[0]?.cron, "0 3 * * *");
  assert.equal(all[0]?.tz, "Europe/Paris");
  assert.ok(all[0]?.next && Date.parse(all[0].next) > Date.now());

  await waitFor(async () => (await w.client.runs({ pipeline: "tick", status: "succeeded" })).length >= 2, 90_000, "two scheduled runs");
  const runs = await w.client.runs({ pipeline: "tick" });
  for (const r of runs.filter((x) => x.status === "succeeded")) {
    assert.equal(r.pid, 0);
    assert.equal(await w.client.load(`${r.id}/tick/label`), "nightly");
  }
  const removed = await cli(["schedule", "remove", "quick"], w.dir, w.env);
  assert.equal(removed.code, 0, removed.stderr);
  assert.equal((await cli(["schedule", "remove", "nightly"], w.dir, w.env)).code, 0);
  // Let a run that was already starting finish, then no more come.
  await new Promise((r) => setTimeout(r, 2500));
  const settled = (await w.client.runs({ pipeline: "tick" })).length;
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal((await w.client.runs({ pipeline: "tick" })).length, settled);
  assert.match((await cli(["schedule", "list"], w.dir, w.env)).stdout, /no schedules on stack "q"/);
});

test("bad schedules are refused before anything is stored", { skip }, async () => {
  const cases: [string[], RegExp][] = [
    [["tick.ts", "--cron", "not a cron"], /cron pattern "not a cron" is not valid/],
    [["tick.ts", "--cron", "* * * * *", "--every", "1m"], /exactly one of --cron and --every/],
    [["tick.ts"], /exactly one of --cron and --every/],
    [["tick.ts", "--every", "5"], /is not an interval of at least 100 ms/],
    [["missing.ts", "--every", "1m"], /does not exist/],
    [["tick.ts", "--every", "1m", "-p", "tick.nope=1"], /nope/],
    [["tick.ts", "--every", "1m", "--stack", "default"], /schedules need a stack with the queue orchestrator/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(["schedule", "add", ...args], w.dir, w.env);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(" "));
  }
  const gone = await cli(["schedule", "remove", "ghost"], w.dir, w.env);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /has no schedule "ghost"/);
  assert.deepEqual(JSON.parse((await cli(["schedule", "list", "--json"], w.dir, w.env)).stdout), []);
});
