/** The built-in orchestrator flavors. @module */
import { z } from "zod";
import { defineFlavor } from "../core/flavor.js";
import type { Orchestrator } from "./types.js";

defineFlavor<Orchestrator, Record<string, never>>({
  type: "orchestrator",
  name: "local",
  description: "runs steps in this process (isolation per step: inline or a child process)",
  config: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  load: async () => {
    const { LocalOrchestrator } = await import("./local/orchestrator.js");
    return async () => new LocalOrchestrator();
  },
});
