/** Config of the `gcs` artifact store flavor (Google Cloud Storage). Loads no SDK. @module */
import { z } from "zod";
import { commonFields, credentialReference, httpUrl } from "../remote/config.js";

export const gcsConfig = z
  .object({
    /** Bucket name. */
    bucket: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/, "must be a bucket name (3-222 lowercase letters, digits, '.', '-', '_')"),
    ...commonFields,
    /** Project (billing of requester-pays buckets; otherwise unused). Default: from the credentials. */
    projectId: z.string().min(1).optional(),
    /** JSON API root other than https://storage.googleapis.com (private endpoints, test servers). */
    endpoint: httpUrl.optional(),
    /** Send no credentials (only with `endpoint`: test servers and emulators). */
    anonymous: z.boolean().default(false),
    /** A service-account key file (path; the key stays out of Koan's files). Default: Application Default Credentials. */
    keyFile: z.string().min(1).optional(),
    /** A service-account key's JSON, as a reference (`env:NAME` or `{{secret:name}}`). */
    credentials: credentialReference.optional(),
    /** Blobs up to this size (MiB) are one multipart request; larger ones a resumable upload, finalised last. */
    resumableThresholdMiB: z.number().int().min(1).max(5000).default(8),
  })
  .strict()
  .refine((c) => !c.anonymous || c.endpoint, { message: "anonymous needs endpoint", path: ["anonymous"] })
  .refine((c) => !(c.keyFile && c.credentials), { message: "give keyFile or credentials, not both", path: ["credentials"] });

export type GcsConfig = z.infer<typeof gcsConfig>;
