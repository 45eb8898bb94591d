/**
 * A throw-away Redis server for tests and benchmarks: `redis-server` on 127.0.0.1 at a free port, in a temp folder,
 * without persistence (a restart loses every key, the worst case for the queue orchestrator). Start it once per
 * test file and stop it in `after()`; skip the tests when {@link redisSkipReason} says why.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../stacks/postgres-server.js";

/** A running server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stop the server (its data is lost). */
  kill(): Promise<void>;
  /** Start it again on the same port, empty. */
  start(): Promise<void>;
  /** Stop it and remove its folder. */
  stop(): Promise<void>;
}

/** Why Redis tests must be skipped here, or undefined when they can run. */
export function redisSkipReason(): string | undefined {
  const r = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return r.status === 0 ? undefined : "redis-server is not installed (apt-get install redis-server)";
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.write("PING\r\n");
    });
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

/** Start a server. Throws when `redis-server` is missing: check {@link redisSkipReason} first. */
export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), "koan-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--protected-mode", "yes"], { stdio: "ignore" });
    const end = Date.now() + 10_000;
    while (!(await answers(port))) {
      if (Date.now() > end) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const kill = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise<void>((r) => c.once("exit", () => r()));
    c.kill("SIGKILL");
    await gone;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    start,
    async stop() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
