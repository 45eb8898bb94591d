/**
 * Local object-storage servers for tests and benchmarks: s3rver (S3) and Azurite (Azure Blob), each started as
 * a child process on 127.0.0.1, on a free port, with its data in a fresh temp folder; `stop()` ends the process
 * and removes the folder. Start one per test file, not per case.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** Azurite's well-known development account (public; documented by Microsoft). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/** s3rver's fixed keys. */
export const S3RVER_KEY = "S3RVER";

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (Azurite: with the account path). */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface S3rverServer extends RunningServer {
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface AzuriteServer extends RunningServer {
  readonly connectionString: string;
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const c of running) c.kill("SIGKILL");
});

/** Start `node script args`, and wait for a line matching `ready` on stdout (its first group is the port). */
async function startNode(name: string, script: string, args: readonly string[], ready: RegExp, dir: string, nodeArgs: readonly string[] = []): Promise<{ child: ChildProcess; port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } });
  running.add(child);
  let out = "";
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 3_000);
      await exited;
      clearTimeout(t);
    }
    running.delete(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not start within 30 s:\n${out}`)), 30_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = ready.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${name} exited (${code}) before it was ready:\n${out}`));
      });
    });
    child.stdout?.resume();
    child.stderr?.resume();
    return { child, port, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** s3rver on 127.0.0.1 with the given buckets. */
export async function startS3rver(buckets: readonly string[] = ["koan"]): Promise<S3rverServer> {
  const dir = await mkdtemp(join(tmpdir(), "koan-s3rver-"));
  const script = join(dirname(require.resolve("s3rver/package.json")), "bin", "s3rver.js");
  const args = ["--directory", dir, "--address", "127.0.0.1", "--port", "0", "--silent", ...buckets.flatMap((b) => ["--configure-bucket", b])];
  // s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 only has in its legacy provider.
  const { port, stop } = await startNode("s3rver", script, args, /listening on 127\.0\.0\.1:(\d+)/, dir, ["--openssl-legacy-provider"]);
  return { endpoint: `http://127.0.0.1:${port}`, port, stop, credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY } };
}

/**
 * Azurite's blob service only, on 127.0.0.1, telemetry off. `--skipApiVersionCheck`: the Azurite release that
 * runs on Node 20 predates the service version the current @azure/storage-blob sends.
 */
export async function startAzurite(): Promise<AzuriteServer> {
  const dir = await mkdtemp(join(tmpdir(), "koan-azurite-"));
  const script = join(dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
  const args = ["--blobHost", "127.0.0.1", "--blobPort", "0", "--location", dir, "--disableTelemetry", "--silent", "--skipApiVersionCheck"];
  const { port, stop } = await startNode("azurite", script, args, /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/, dir);
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`;
  return { endpoint, port, stop, connectionString };
}

/** A port nothing listens on (bound and released), for "unreachable endpoint" cases. */
export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Run `fn` once, lazily, and share the result (servers start on first use, once per test file). */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
