/** Opens an `azure` artifact store: builds the Blob client from the config and Azure's credential chain. @module */
import { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential, type StoragePipelineOptions } from "@azure/storage-blob";
import { KoanError } from "../../../core/errors.js";
import type { FlavorContext } from "../../../core/flavor.js";
import { MiB, stagingDirOf } from "../remote/config.js";
import { displayUrl } from "../remote/errors.js";
import { resolveReference } from "../remote/references.js";
import { normalizePrefix, RemoteArtifactStore } from "../remote/store.js";
import { AzureBackend } from "./backend.js";
import type { AzureConfig } from "./config.js";

/** The `azure` artifact store: a {@link RemoteArtifactStore} with `check()`. */
export async function openAzureArtifactStore(config: AzureConfig, context: FlavorContext): Promise<RemoteArtifactStore> {
  const prefix = normalizePrefix(config.prefix);
  const pipeline: StoragePipelineOptions = {
    retryOptions: { maxTries: config.retries + 1, retryDelayInMs: 500, maxRetryDelayInMs: 8_000 },
    userAgentOptions: { userAgentPrefix: "koan" },
  };
  const secrets: string[] = [];
  let service: BlobServiceClient;
  let chain: string;
  if (config.connectionString) {
    const cs = resolveReference(config.connectionString, "azure", "connectionString");
    secrets.push(cs, ...[/AccountKey=([^;]+)/i.exec(cs)?.[1], /SharedAccessSignature=([^;]+)/i.exec(cs)?.[1]].filter((x): x is string => Boolean(x)));
    try {
      service = BlobServiceClient.fromConnectionString(cs, pipeline);
    } catch {
      throw new KoanError("CONFIG_INVALID", `artifact store azure: connectionString is not a valid Azure Storage connection string`, {
        details: { component: "artifact-store", flavor: "azure", field: "connectionString" },
      });
    }
    chain = "the connection string named by `connectionString` in the stack's artifactStore config";
  } else {
    const url = (config.endpoint ?? `https://${config.account}.blob.core.windows.net`).replace(/\/+$/, "");
    if (config.accountKey) {
      const key = resolveReference(config.accountKey, "azure", "accountKey");
      secrets.push(key);
      service = new BlobServiceClient(url, new StorageSharedKeyCredential(config.account as string, key), pipeline);
      chain = "the account key named by `accountKey` in the stack's artifactStore config";
    } else if (config.sasToken) {
      const sas = resolveReference(config.sasToken, "azure", "sasToken").replace(/^\?/, "");
      secrets.push(sas);
      service = new BlobServiceClient(`${url}?${sas}`, new AnonymousCredential(), pipeline);
      chain = "the SAS token named by `sasToken` in the stack's artifactStore config";
    } else {
      const { DefaultAzureCredential } = await import("@azure/identity");
      service = new BlobServiceClient(url, new DefaultAzureCredential(), pipeline);
      chain =
        "DefaultAzureCredential (AZURE_CLIENT_ID/AZURE_TENANT_ID with AZURE_CLIENT_SECRET or a certificate, workload identity, managed identity, `az login`, azd, Azure PowerShell); the identity needs the Storage Blob Data Contributor role";
    }
  }
  const container = service.getContainerClient(config.container);
  const base = displayUrl(service.url);
  const uri = `${base}/${config.container}${prefix ? `/${prefix}` : ""}`;
  return new RemoteArtifactStore(
    new AzureBackend(container, { singleShot: config.singleShotMiB * MiB, blockSize: config.blockSizeMiB * MiB, concurrency: config.concurrency }),
    {
      where: {
        flavor: "azure",
        uri,
        bucketNoun: "container",
        bucket: config.container,
        endpoint: base,
        credentialsHint: `check the credentials (from ${chain}) and that they may list, read and write ${uri}`,
        secrets,
      },
      prefix,
      stagingDir: stagingDirOf(config.stagingDir, context.projectDir),
      listPageSize: config.listPageSize,
    },
  );
}
