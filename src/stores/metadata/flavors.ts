/** Metadata store flavors. Registering them loads no driver: each implementation is imported when used. @module */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { defineFlavor } from "../../core/flavor.js";
import type { MetadataStore } from "./types.js";
import { postgresConfigSchema, type PostgresConfig } from "./postgres/config.js";

/** One round trip: the store answers and its schema is readable. */
const probe = async (store: MetadataStore): Promise<void> => {
  await store.schemaVersion();
};

defineFlavor<MetadataStore, { path: string }>({
  type: "metadata-store",
  name: "sqlite",
  description: "an SQLite file on this machine (default: .koan/metadata.db)",
  config: z.object({ path: z.string().min(1) }).strict(),
  load: async () => {
    const { openSqliteStore } = await import("./sqlite/open.js");
    return (config, ctx) => openSqliteStore({ path: isAbsolute(config.path) ? config.path : resolve(ctx.projectDir, config.path) });
  },
  probe,
});

defineFlavor<MetadataStore, PostgresConfig>({
  type: "metadata-store",
  name: "postgres",
  description: "a PostgreSQL database shared by a team (url: postgres://user@host:port/db; password from a secret)",
  config: postgresConfigSchema,
  load: async () => {
    const { openPostgresStore } = await import("./postgres/open.js");
    return (config) => openPostgresStore(config);
  },
  probe,
});
