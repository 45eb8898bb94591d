/**
 * The `local` deployer: the model server as a background process on this machine (`koan serve` detached, its
 * output in `.koan/deployments/<id>/server.log`). The pid, port and bundle are recorded; status checks that the
 * process lives and answers `/v2/health/ready`; undeploy sends SIGTERM (the server drains) and waits.
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync, openSync, closeSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KoanError } from "../../core/errors.js";
import type { Deployer, DeployContext, DeploymentRecord, DeploymentStatus, DeployResult } from "./types.js";
import { processAlive as alive } from "../../core/process.js";

/** Config of the local deployer. */
export interface LocalConfig {
  /** REST port (default 0: a free port). */
  port: number;
  host: string;
  /** gRPC port (omit for none). */
  grpcPort?: number | undefined;
  /** How long to wait for the server to be ready, in ms. */
  readyTimeoutMs: number;
  /**
   * The command serving the bundle (default: this Koan's `koan serve <bundle>`). `{ref}`, `{port}`, `{host}`,
   * `{readyFile}` are replaced; the command must write the ready file (see `serveUntilSignal`).
   */
  command?: string[] | undefined;
}

const BIN = fileURLToPath(new URL("../../../../bin/koan.js", import.meta.url));

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

async function tail(file: string, lines = 15): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Create the local deployer. */
export function createLocalDeployer(config: LocalConfig): Deployer {
  return {
    async deploy(ctx: DeployContext): Promise<DeployResult> {
      const dir = join(ctx.projectDir, ".koan", "deployments", ctx.id);
      const readyFile = join(dir, "ready.json");
      const logFile = join(dir, "server.log");
      const fill = (s: string): string => s.replace("{ref}", ctx.bundle.ref).replace("{port}", String(config.port)).replace("{host}", config.host).replace("{readyFile}", readyFile).replace("{name}", ctx.name);
      const argv = config.command
        ? config.command.map(fill)
        : [process.execPath, BIN, "serve", ctx.bundle.ref, "--port", String(config.port), "--host", config.host, "--name", ctx.name, "--ready-file", readyFile, "-C", ctx.projectDir, ...(config.grpcPort !== undefined ? ["--grpc-port", String(config.grpcPort)] : ["--no-grpc"])];
      if (ctx.dryRun) return { endpoint: null, state: { command: argv }, output: `would run: ${argv.join(" ")}` };
      await mkdir(dir, { recursive: true });
      const fd = openSync(logFile, "a");
      const child = spawn(argv[0] as string, argv.slice(1), { cwd: ctx.projectDir, detached: true, stdio: ["ignore", fd, fd], env: { ...process.env, NO_COLOR: "1" } });
      closeSync(fd);
      let exitCode: number | null = null;
      child.on("exit", (code) => (exitCode = code ?? -1));
      child.unref();
      const pid = child.pid as number;
      const end = Date.now() + config.readyTimeoutMs;
      while (!existsSync(readyFile)) {
        if (exitCode !== null) throw new KoanError("INTERNAL", `the local server exited (code ${exitCode}) before it was ready:\n${await tail(logFile)}`, { hint: `its log: ${logFile}` });
        if (Date.now() > end) {
          process.kill(pid, "SIGKILL");
          throw new KoanError("INTERNAL", `the local server was not ready after ${config.readyTimeoutMs} ms`, { hint: `its log: ${logFile}` });
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      const ready = JSON.parse(await readFile(readyFile, "utf8")) as { url: string; port: number; grpcPort: number | null };
      ctx.log(`local server pid ${pid} listening at ${ready.url}`);
      return {
        endpoint: ready.url,
        state: { pid, port: ready.port, grpcPort: ready.grpcPort, host: config.host, log: logFile, bundle: ctx.bundle.ref },
        output: `serving at ${ready.url} (pid ${pid}); log: ${logFile}`,
      };
    },

    async status(record: DeploymentRecord): Promise<DeploymentStatus> {
      const pid = record.state.pid as number;
      if (!alive(pid)) return { state: "stopped", healthy: false, detail: `process ${pid} is gone` };
      const ok = record.endpoint ? await healthy(record.endpoint) : false;
      return { state: "running", healthy: ok, detail: ok ? `pid ${pid}, ready` : `pid ${pid}, not answering /v2/health/ready` };
    },

    async undeploy(record: DeploymentRecord, log) {
      const pid = record.state.pid as number;
      if (!alive(pid)) {
        log(`process ${pid} had already stopped`);
        return;
      }
      process.kill(pid, "SIGTERM");
      const end = Date.now() + 35_000;
      while (alive(pid) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) {
        process.kill(pid, "SIGKILL");
        log(`process ${pid} did not stop after SIGTERM: killed`);
      } else log(`stopped process ${pid}`);
    },
  };
}
