/** Metadata store flavors. Registering them loads no driver: each implementation is imported when used. @module */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { defineFlavor } from "../../core/flavor.js";
import type { MetadataStore } from "./types.js";

defineFlavor<MetadataStore, { path: string }>({
  type: "metadata-store",
  name: "sqlite",
  description: "an SQLite file on this machine (default: .koan/metadata.db)",
  config: z.object({ path: z.string().min(1) }).strict(),
  load: async () => {
    const { openSqliteStore } = await import("./sqlite/open.js");
    return (config, ctx) => openSqliteStore({ path: isAbsolute(config.path) ? config.path : resolve(ctx.projectDir, config.path) });
  },
});
