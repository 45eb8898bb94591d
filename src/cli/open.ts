/** Opening the client for a command, with the project and stack options every command shares. @module */
import { Koan } from "../client/client.js";

export interface ProjectOptions {
  project?: string;
  stack?: string;
}

/** Open the project for a command (never creates one). */
export function openClient(opts: ProjectOptions): Promise<Koan> {
  return Koan.open({ ...(opts.project ? { dir: opts.project } : {}), ...(opts.stack ? { stack: opts.stack } : {}) });
}

/** Run `fn` with an open client and close it afterwards. */
export async function withClient<T>(opts: ProjectOptions, fn: (koan: Koan) => Promise<T>): Promise<T> {
  const koan = await openClient(opts);
  try {
    return await fn(koan);
  } finally {
    await koan.close();
  }
}
