/** Artifact store flavors. Registering them loads no SDK: each implementation is imported when used. @module */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { defineFlavor } from "../../core/flavor.js";
import type { ArtifactStore } from "./types.js";

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
