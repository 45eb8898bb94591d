/** `koan ui`: serve the dashboard until Ctrl-C. @module */
import { KoanError } from "../../core/errors.js";
import { startUiServer } from "../../ui/server.js";
import { openClient, type ProjectOptions } from "../open.js";
import { EXIT, paint } from "../output.js";

export default async function ui(opts: ProjectOptions & { port: string; host: string; token?: string }): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new KoanError("USAGE", `--port must be a whole number from 0 to 65535, got "${opts.port}"`);
  const koan = await openClient(opts);
  let server;
  try {
    server = await startUiServer(koan, { host: opts.host, port, ...(opts.token !== undefined ? { token: opts.token } : {}) });
  } catch (e) {
    await koan.close();
    throw e;
  }
  const out = process.stdout;
  out.write(`Koan dashboard for ${koan.project.dir}\n  ${paint("bold", server.openUrl)}\n`);
  if (server.tokenGenerated) out.write(`  ${paint("yellow", "token")} ${server.token} (generated: --host ${server.host} is not loopback; every request must carry it)\n`);
  out.write(paint("dim", "  read-only; Ctrl-C to stop\n"));
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  await server.close();
  await koan.close();
  process.stderr.write(`stopped (${signal})\n`);
  return EXIT.ok;
}
