/** Config fields shared by the remote artifact store flavors (zod only: loading a flavor's schema loads no SDK). @module */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";

/** An http(s) URL. */
export const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");

/** A credential field: `env:NAME` or `{{secret:name}}` (resolved by Koan before the flavor sees it). Never clear text in a committed file. */
export const credentialReference = z.string().min(1);

/** Fields every remote flavor has. */
export const commonFields = {
  /** Object-name prefix inside the bucket/container (default: its root). */
  prefix: z.string().default(""),
  /** Retries of a failed request (the SDK's own backoff). */
  retries: z.number().int().min(0).max(10).default(3),
  /** Keys per list request. */
  listPageSize: z.number().int().min(1).max(5000).default(1000),
  /** Parent folder of the local staging folder (default: the OS temp folder); relative to the project. */
  stagingDir: z.string().min(1).optional(),
};

/** The staging folder, resolved against the project folder. */
export function stagingDirOf(stagingDir: string | undefined, projectDir: string): string | undefined {
  if (!stagingDir) return undefined;
  return isAbsolute(stagingDir) ? stagingDir : resolve(projectDir, stagingDir);
}

export const MiB = 1024 * 1024;
