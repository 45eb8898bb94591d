/**
 * Serving in the foreground until SIGTERM or SIGINT: start the server, report where it listens (stdout, and a
 * JSON "ready file" for process managers such as the local deployer), and on the signal drain in-flight
 * requests, then resolve. `koan serve` and the Docker image's entry point both run this.
 *
 * @example
 * ```ts
 * import { serveUntilSignal } from "koan";
 * await serveUntilSignal(model, { host: "0.0.0.0", port: 8080, grpcPort: 8081 });
 * ```
 * @module
 */
import { rename, writeFile } from "node:fs/promises";
import type { ServableModel } from "./model.js";
import { startServer, type ModelServer, type ServerOptions } from "./server.js";

/** Options of {@link serveUntilSignal}. */
export interface ServeOptions extends ServerOptions {
  /** Write `{pid, port, grpcPort, url}` here (atomically) once listening. */
  readyFile?: string;
  /** Print the listening line (default true). */
  quiet?: boolean;
  /** Called once listening (tests). */
  onListening?: (server: ModelServer) => void;
}

/** Serve until SIGTERM/SIGINT, then drain and resolve with the signal's name. */
export async function serveUntilSignal(models: ServableModel | readonly ServableModel[], options: ServeOptions = {}): Promise<NodeJS.Signals> {
  const server = await startServer(models, options);
  let onSignal: (s: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (onSignal = resolve));
  const handler = (s: NodeJS.Signals): void => onSignal(s);
  process.once("SIGTERM", handler);
  process.once("SIGINT", handler);
  try {
    if (!options.quiet) {
      const names = server.models.map((m) => `${m.name}:${m.version}`).join(", ");
      process.stdout.write(`serving ${names} at ${server.url}${server.grpcPort !== undefined ? ` (gRPC on port ${server.grpcPort})` : ""}\n`);
    }
    if (options.readyFile) {
      const tmp = `${options.readyFile}.tmp`;
      await writeFile(tmp, JSON.stringify({ pid: process.pid, url: server.url, port: server.port, grpcPort: server.grpcPort ?? null }));
      await rename(tmp, options.readyFile);
    }
    options.onListening?.(server);
    const signal = await signalled;
    if (!options.quiet) process.stdout.write(`${signal}: finishing ${server.inFlight} in-flight request(s), then stopping\n`);
    await server.close();
    return signal;
  } finally {
    process.off("SIGTERM", handler);
    process.off("SIGINT", handler);
  }
}
