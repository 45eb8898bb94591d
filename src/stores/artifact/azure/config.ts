/** Config of the `azure` artifact store flavor (Azure Blob Storage). Loads no SDK. @module */
import { z } from "zod";
import { commonFields, credentialReference, httpUrl } from "../remote/config.js";

export const azureConfig = z
  .object({
    /** Storage account name (default endpoint: https://<account>.blob.core.windows.net). */
    account: z.string().regex(/^[a-z0-9]{3,24}$/, "must be a storage account name (3-24 lowercase letters and digits)").optional(),
    /** Container name. */
    container: z.string().regex(/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "must be a container name (3-63 lowercase letters, digits and single hyphens)"),
    ...commonFields,
    /** Blob service URL, for sovereign clouds, private endpoints and Azurite (e.g. http://127.0.0.1:10000/devstoreaccount1). */
    endpoint: httpUrl.optional(),
    /** A connection string, as a reference (`env:AZURE_STORAGE_CONNECTION_STRING` or `{{secret:name}}`). */
    connectionString: credentialReference.optional(),
    /** The account key, as a reference. */
    accountKey: credentialReference.optional(),
    /** A SAS token, as a reference. */
    sasToken: credentialReference.optional(),
    /** Blobs up to this size (MiB) are one Put Blob; larger ones are staged blocks committed last. */
    singleShotMiB: z.number().int().min(1).max(5000).default(32),
    /** Block size of staged uploads in MiB. */
    blockSizeMiB: z.number().int().min(1).max(4000).default(8),
    /** Blocks uploaded at once (memory: about blockSizeMiB x concurrency). */
    concurrency: z.number().int().min(1).max(32).default(4),
  })
  .strict()
  .refine((c) => c.account || c.endpoint || c.connectionString, { message: "give account, endpoint or connectionString", path: ["account"] })
  .refine((c) => [c.connectionString, c.accountKey, c.sasToken].filter(Boolean).length <= 1, {
    message: "give at most one of connectionString, accountKey and sasToken",
    path: ["connectionString"],
  })
  .refine((c) => !c.accountKey || c.account, { message: "accountKey needs account", path: ["account"] });

export type AzureConfig = z.infer<typeof azureConfig>;
