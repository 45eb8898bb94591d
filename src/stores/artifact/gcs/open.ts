/** Opens a `gcs` artifact store: builds the Storage client from the config and Application Default Credentials. @module */
import { Storage, type StorageOptions } from "@google-cloud/storage";
import { KoanError } from "../../../core/errors.js";
import type { FlavorContext } from "../../../core/flavor.js";
import { isAbsolute, resolve } from "node:path";
import { MiB, stagingDirOf } from "../remote/config.js";
import { displayUrl } from "../remote/errors.js";
import { resolveReference } from "../remote/references.js";
import { normalizePrefix, RemoteArtifactStore } from "../remote/store.js";
import { GcsBackend } from "./backend.js";
import type { GcsConfig } from "./config.js";

/** The `gcs` artifact store: a {@link RemoteArtifactStore} with `check()`. */
export async function openGcsArtifactStore(config: GcsConfig, context: FlavorContext): Promise<RemoteArtifactStore> {
  const prefix = normalizePrefix(config.prefix);
  const secrets: string[] = [];
  const options: StorageOptions = {
    retryOptions: { autoRetry: config.retries > 0, maxRetries: config.retries, retryDelayMultiplier: 2, totalTimeout: 600 },
    ...(config.projectId ? { projectId: config.projectId } : {}),
    ...(config.endpoint ? { apiEndpoint: config.endpoint.replace(/\/+$/, ""), useAuthWithCustomEndpoint: !config.anonymous } : {}),
  };
  let chain = "Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, `gcloud auth application-default login`, workload identity, the metadata server)";
  if (config.keyFile) {
    options.keyFilename = isAbsolute(config.keyFile) ? config.keyFile : resolve(context.projectDir, config.keyFile);
    chain = "the key file named by `keyFile` in the stack's artifactStore config";
  } else if (config.credentials) {
    const json = resolveReference(config.credentials, "gcs", "credentials");
    secrets.push(json);
    try {
      const parsed = JSON.parse(json) as { private_key?: string };
      if (parsed.private_key) secrets.push(parsed.private_key);
      options.credentials = parsed as StorageOptions["credentials"];
    } catch {
      throw new KoanError("CONFIG_INVALID", "artifact store gcs: credentials does not hold a service-account key (JSON)", {
        details: { component: "artifact-store", flavor: "gcs", field: "credentials" },
      });
    }
    chain = "the service-account key named by `credentials` in the stack's artifactStore config";
  } else if (config.anonymous) {
    chain = "no credentials (anonymous: true)";
  }
  const storage = new Storage(options);
  const uri = `gs://${config.bucket}${prefix ? `/${prefix}` : ""}`;
  return new RemoteArtifactStore(new GcsBackend(storage.bucket(config.bucket), config.resumableThresholdMiB * MiB), {
    where: {
      flavor: "gcs",
      uri,
      bucketNoun: "bucket",
      bucket: config.bucket,
      ...(config.endpoint ? { endpoint: displayUrl(config.endpoint) } : {}),
      credentialsHint: `check the credentials (from ${chain}) and that they may list, read and write ${uri} (roles/storage.objectAdmin)`,
      secrets,
    },
    prefix,
    stagingDir: stagingDirOf(config.stagingDir, context.projectDir),
    listPageSize: config.listPageSize,
  });
}
