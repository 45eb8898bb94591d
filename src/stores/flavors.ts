/** The built-in store flavors. Importing this module loads no driver. @module */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { defineFlavor } from "../core/flavor.js";
import type { ArtifactStore } from "./artifact/types.js";
import type { MetadataStore } from "./metadata/types.js";

defineFlavor<ArtifactStore, { path: string }>({
  type: "artifact-store",
  name: "local",
  description: "a folder on this machine (default: .koan/artifacts)",
  config: z.object({ path: z.string().min(1) }).strict(),
  load: async () => {
    const { LocalArtifactStore } = await import("./artifact/local/store.js");
    return (config, ctx) => LocalArtifactStore.open({ path: isAbsolute(config.path) ? config.path : resolve(ctx.projectDir, config.path) });
  },
});

defineFlavor<MetadataStore, { path: string }>({
  type: "metadata-store",
  name: "sqlite",
  description: "an SQLite file on this machine (default: .koan/metadata.db)",
  config: z.object({ path: z.string().min(1) }).strict(),
  load: async () => {
    const { openSqliteStore } = await import("./metadata/sqlite/open.js");
    return (config, ctx) => openSqliteStore({ path: isAbsolute(config.path) ? config.path : resolve(ctx.projectDir, config.path) });
  },
});
