/** Config of the `s3` artifact store flavor (AWS S3 and S3-compatible services). Loads no SDK. @module */
import { z } from "zod";
import { commonFields, credentialReference, httpUrl } from "../remote/config.js";

export const s3Config = z
  .object({
    /** Bucket name. */
    bucket: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/, "must be a bucket name (3-255 letters, digits, '.', '-', '_'; no '/')"),
    ...commonFields,
    /** AWS region (default: the SDK's chain — AWS_REGION, the profile — or us-east-1 with a custom endpoint). */
    region: z.string().min(1).optional(),
    /** Endpoint of an S3-compatible service (MinIO, Ceph, R2, s3rver, ...). */
    endpoint: httpUrl.optional(),
    /** Path-style URLs (`endpoint/bucket/key`); default: true with a custom endpoint, false on AWS. */
    forcePathStyle: z.boolean().optional(),
    /** A profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, then `default`). */
    profile: z.string().min(1).optional(),
    /** Explicit keys, as references (`env:NAME` or `{{secret:name}}`); default: the AWS credential chain. */
    credentials: z
      .object({ accessKeyId: credentialReference, secretAccessKey: credentialReference, sessionToken: credentialReference.optional() })
      .strict()
      .optional(),
    /** Part size of multipart uploads in MiB; objects up to one part are sent in one PUT. */
    partSizeMiB: z.number().int().min(5).max(5120).default(8),
    /** Parts uploaded at once (memory: partSizeMiB x queueSize). */
    queueSize: z.number().int().min(1).max(32).default(4),
    /** Request checksums (CRC32): `when-supported` (AWS default) or `when-required` (older S3-compatible services). */
    checksums: z.enum(["when-supported", "when-required"]).optional(),
  })
  .strict();

export type S3Config = z.infer<typeof s3Config>;
