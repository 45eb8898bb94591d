/**
 * Artifact store flavors. Registering them loads no SDK: each implementation is imported when used. The cloud
 * flavors' stores also have `check(): Promise<void>`, a one-request reachability check (`koan stack describe`).
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { KoanError } from "../../core/errors.js";
import { defineFlavor } from "../../core/flavor.js";
import type { ArtifactStore } from "./types.js";
import { s3Config, type S3Config } from "./s3/config.js";
import { azureConfig, type AzureConfig } from "./azure/config.js";
import { gcsConfig, type GcsConfig } from "./gcs/config.js";

defineFlavor<ArtifactStore, { path: string }>({
  type: "artifact-store",
  name: "local",
  description: "a folder on this machine (default: .koan/artifacts)",
  config: z.object({ path: z.string().min(1) }).strict(),
  load: async () => {
    const { LocalArtifactStore } = await import("./local/store.js");
    return (config, ctx) => LocalArtifactStore.open({ path: isAbsolute(config.path) ? config.path : resolve(ctx.projectDir, config.path) });
  },
});

/** Import a cloud flavor's implementation; a missing optional SDK is a clear error naming the packages to install. */
async function loadCloud<M>(flavor: string, packages: string, load: () => Promise<M>): Promise<M> {
  try {
    return await load();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new KoanError("CONFIG_INVALID", `the ${flavor} artifact store needs ${packages}, which is not installed`, {
        hint: `npm install ${packages}`,
        cause: e,
        details: { component: "artifact-store", flavor },
      });
    }
    throw e;
  }
}

defineFlavor<ArtifactStore, S3Config>({
  type: "artifact-store",
  name: "s3",
  description: "an S3 bucket (AWS, or any S3-compatible service via endpoint)",
  config: s3Config,
  load: async () => {
    const { openS3ArtifactStore } = await loadCloud("s3", "@aws-sdk/client-s3 @aws-sdk/lib-storage", () => import("./s3/open.js"));
    return openS3ArtifactStore;
  },
});

defineFlavor<ArtifactStore, AzureConfig>({
  type: "artifact-store",
  name: "azure",
  description: "an Azure Blob Storage container",
  config: azureConfig,
  load: async () => {
    const { openAzureArtifactStore } = await loadCloud("azure", "@azure/storage-blob @azure/identity", () => import("./azure/open.js"));
    return openAzureArtifactStore;
  },
});

defineFlavor<ArtifactStore, GcsConfig>({
  type: "artifact-store",
  name: "gcs",
  description: "a Google Cloud Storage bucket",
  config: gcsConfig,
  load: async () => {
    const { openGcsArtifactStore } = await loadCloud("gcs", "@google-cloud/storage", () => import("./gcs/open.js"));
    return openGcsArtifactStore;
  },
});
