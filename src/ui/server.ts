/**
 * Starting and stopping the dashboard server (`koan ui`): binds 127.0.0.1 by default; any other host needs a
 * token (given, or generated and returned so it can be printed).
 * @module
 */
import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KoanError } from "../core/errors.js";
import type { Koan } from "../client/client.js";
import { createApp, type AppOptions } from "./app.js";
import { resolveToken } from "./auth.js";

/** Options of {@link startUiServer}. */
export interface UiServerOptions extends Omit<AppOptions, "host" | "token"> {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 4242; 0 picks a free port. */
  port?: number;
  /** Required on every request; generated when the host is not loopback and none is given. */
  token?: string;
}

/** A running dashboard server. */
export interface UiServer {
  /** Base URL, e.g. `http://127.0.0.1:4242/`. */
  readonly url: string;
  /** The URL to open: with `?token=` when a token is set. */
  readonly openUrl: string;
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  /** True when the token was generated (print it). */
  readonly tokenGenerated: boolean;
  close(): Promise<void>;
}

/** Start the dashboard over an open client. @throws KoanError `USAGE` when the port is taken or the host invalid. */
export async function startUiServer(koan: Koan, options: UiServerOptions = {}): Promise<UiServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? 4242;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KoanError("USAGE", `port must be a whole number from 0 to 65535, got ${port}`);
  const { token, generated } = resolveToken(host, options.token);
  const { app } = createApp(koan, { ...options, host, ...(token ? { token } : {}) });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") reject(new KoanError("USAGE", `port ${port} on ${host} is already in use`, { hint: "pick another with --port (0 for any free port)" }));
      else if (e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND") reject(new KoanError("USAGE", `cannot listen on host "${host}": ${e.message}`));
      else reject(e);
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${bound}/`;
  return {
    url,
    openUrl: token ? `${url}?token=${encodeURIComponent(token)}` : url,
    host,
    port: bound,
    token,
    tokenGenerated: generated,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
