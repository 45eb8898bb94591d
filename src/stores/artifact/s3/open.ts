/** Opens an `s3` artifact store: builds the S3 client from the config and the AWS credential chain. @module */
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import type { FlavorContext } from "../../../core/flavor.js";
import { MiB, stagingDirOf } from "../remote/config.js";
import { displayUrl } from "../remote/errors.js";
import { resolveReference } from "../remote/references.js";
import { normalizePrefix, RemoteArtifactStore } from "../remote/store.js";
import { S3Backend } from "./backend.js";
import type { S3Config } from "./config.js";

/** The `s3` artifact store: a {@link RemoteArtifactStore} with `check()`. */
export async function openS3ArtifactStore(config: S3Config, context: FlavorContext): Promise<RemoteArtifactStore> {
  // The SDK warns on every Node < 22 process; Koan supports Node 20, so the warning is noise in Koan's output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const prefix = normalizePrefix(config.prefix);
  const secrets: string[] = [];
  let credentials: S3ClientConfig["credentials"];
  if (config.credentials) {
    const c = config.credentials;
    const accessKeyId = resolveReference(c.accessKeyId, "s3", "credentials.accessKeyId");
    const secretAccessKey = resolveReference(c.secretAccessKey, "s3", "credentials.secretAccessKey");
    const sessionToken = c.sessionToken ? resolveReference(c.sessionToken, "s3", "credentials.sessionToken") : undefined;
    secrets.push(secretAccessKey, ...(sessionToken ? [sessionToken] : []));
    credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  const checksums = config.checksums ?? (config.endpoint ? "when-required" : "when-supported");
  const mode = checksums === "when-required" ? "WHEN_REQUIRED" : "WHEN_SUPPORTED";
  const client = new S3Client({
    region: config.region ?? (config.endpoint ? "us-east-1" : undefined),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle ?? Boolean(config.endpoint),
    ...(credentials ? { credentials } : {}),
    ...(config.profile ? { profile: config.profile } : {}),
    maxAttempts: config.retries + 1,
    requestChecksumCalculation: mode,
    responseChecksumValidation: mode,
    requestHandler: { connectionTimeout: 10_000 },
  });
  const uri = `s3://${config.bucket}${prefix ? `/${prefix}` : ""}`;
  const chain = config.credentials
    ? "the keys named by `credentials` in the stack's artifactStore config"
    : `the AWS credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ${config.profile ? `profile "${config.profile}"` : "AWS_PROFILE"} in ~/.aws/config and ~/.aws/credentials, web identity, ECS/EC2 roles)`;
  return new RemoteArtifactStore(new S3Backend(client, config.bucket, config.partSizeMiB * MiB, config.queueSize), {
    where: {
      flavor: "s3",
      uri,
      bucketNoun: "bucket",
      bucket: config.bucket,
      ...(config.endpoint ? { endpoint: displayUrl(config.endpoint) } : {}),
      credentialsHint: `check the credentials (from ${chain}) and that they may list, read and write ${uri}`,
      secrets,
    },
    prefix,
    stagingDir: stagingDirOf(config.stagingDir, context.projectDir),
    listPageSize: Math.min(config.listPageSize, 1000),
  });
}
